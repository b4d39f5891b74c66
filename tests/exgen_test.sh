#!/usr/bin/env bash
# exgen's promises, tried on a throwaway course: stubs keep the markers and throw; a
# student's edited file is never overwritten without --force, and with it the old file is
# kept, in a numbered backup under backups/ (not beside it, where the build would see it),
# named FILE.~N~ with the smallest free N as the library names its backups, that no later
# --force overwrites, at the place the message names; a missing file is
# written back without touching the edited ones; check notices drift; a marker pointing at a
# missing section is an error; the hints (solutions/chNN/hints.md) reach exercises/.hints and
# nothing else, and a hints file that does not fit the exercises is an error naming its line;
# a BEGIN line that clang-format wraps (exgen reads that line only) is an error naming it.
set -euo pipefail
exgen=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p solutions/ch01 chapters/01-demo
printf 'ColumnLimit: 140\n' > .clang-format  # the course's; no .clang-format above $work counts
printf '# Chapter 1: Demo {#ch01}\n## Adding {#ch01-add}\n' > chapters/01-demo/chapter.md
cat > solutions/ch01/add.cpp <<'CPP'
int add(int a, int b) {
    // BEGIN EXERCISE 1.1 (ch01-add): add: return the sum.
    return a + b;
    // END EXERCISE 1.1
}
CPP
printf 'int sub(int a, int b) {\n    // BEGIN EXERCISE 1.2 (ch01-add): sub: return the difference.\n    return a - b;\n    // END EXERCISE 1.2\n}\n' > solutions/ch01/sub.cpp
cat > solutions/ch01/hints.md <<'MD'
# Hints for chapter 1

## Exercise 1.1

1. the plus sign
2. two ints in, one out
   (a second line of level 2)

## Exercise 1.2

1. the minus sign
MD
fail() { echo "exgen_test: $*" >&2; exit 1; }
run() { "$exgen" "$1" --solutions solutions --exercises exercises --chapters chapters "${@:2}"; }

# The exercise list: each exercise's file, BEGIN and END lines, points and chapter label.
printf 'default 1\n1.2 2.5  # harder\n' > points.txt
"$exgen" manifest --sources solutions --chapters chapters --out list.tsv --points points.txt || fail "manifest failed"
[ "$(cut -f1,4,5,9,10,11 list.tsv | tr '\t' ' ')" = "1.1 solutions/ch01/add.cpp 2 4 1 ch01
1.2 solutions/ch01/sub.cpp 2 4 2.5 ch01" ] || fail "the exercise list is not as expected: $(cat list.tsv)"
echo "9.9 3" >> points.txt
"$exgen" manifest --sources solutions --chapters chapters --out list.tsv --points points.txt 2>/dev/null &&
  fail "manifest accepted points for an exercise that does not exist"

run generate >/dev/null
grep -q 'throw bp::NotImplemented("1.1", "exercises/ch01/add.cpp"' exercises/ch01/add.cpp || fail "no stub"
grep -q "return a + b" exercises/ch01/add.cpp && fail "the solution leaked into the stub"
grep -q "// BEGIN EXERCISE 1.1" exercises/ch01/add.cpp || fail "the BEGIN marker was not kept"
run check >/dev/null || fail "check fails right after generate"
run generate >/dev/null || fail "regenerating untouched files was refused"

echo "// my work" >> exercises/ch01/add.cpp
cp exercises/ch01/add.cpp mine
run check >/dev/null 2>&1 && fail "check did not notice the edited file"
sed -i 's/return the sum/return a + b/' solutions/ch01/add.cpp  # the solution changes too
run generate >/dev/null 2>&1 && fail "generate overwrote a student's edited file"
cmp -s mine exercises/ch01/add.cpp || fail "the student's file changed although generate refused"
# A deleted file is written back by generate without --force, and the edited one is left as it is.
rm exercises/ch01/sub.cpp
run generate >out 2>err && fail "generate did not refuse with an edited file"
grep -q "exercises/ch01/sub.cpp, which was missing" out || fail "the missing file was not written back: $(cat out err)"
grep -q 'throw bp::NotImplemented("1.2"' exercises/ch01/sub.cpp || fail "the missing file is not the stub"
cmp -s mine exercises/ch01/add.cpp || fail "writing the missing file changed the student's edited one"
grep -q "Nothing else was written" err || fail "the refusal does not say that only the missing file was written: $(cat err)"
run generate --force >out || fail "generate --force failed"
cmp -s mine backups/exercises/ch01/add.cpp.~1~ || fail "--force did not keep the student's file in backups/exercises/ch01/add.cpp.~1~"
grep -q "as backups/exercises/ch01/add.cpp.~1~" out || fail "the message does not say where the backup is: $(cat out)"
[ -z "$(find exercises/ch01 -type f ! -name add.cpp ! -name sub.cpp)" ] || fail "a backup was left among the exercises"

# A second edit, a second --force: both edits survive, each in its own backup.
echo "// my second attempt" >> exercises/ch01/add.cpp
cp exercises/ch01/add.cpp mine2
sed -i 's/return a + b/return b + a/' solutions/ch01/add.cpp
run generate --force >out || fail "the second generate --force failed"
cmp -s mine backups/exercises/ch01/add.cpp.~1~ || fail "the second --force overwrote the first backup"
cmp -s mine2 backups/exercises/ch01/add.cpp.~2~ || fail "the second --force did not keep the second edit"
grep -q "as backups/exercises/ch01/add.cpp.~2~" out || fail "the message does not say where the new backup is: $(cat out)"
grep -q "an earlier backup, untouched: backups/exercises/ch01/add.cpp.~1~" out || fail "the message does not mention the earlier backup: $(cat out)"
run check >/dev/null || fail "check counts the backups as stray files"
# The smallest free number, as bp::keep_as_backup: a third edit fills the gap left by a
# removed backup; an older exgen's add.cpp.N is left as it is and named.
rm backups/exercises/ch01/add.cpp.~1~
echo "// an older exgen's backup" > backups/exercises/ch01/add.cpp.7
echo "// my third attempt" >> exercises/ch01/add.cpp
cp exercises/ch01/add.cpp mine3
run generate --force >out || fail "the third generate --force failed"
cmp -s mine3 backups/exercises/ch01/add.cpp.~1~ || fail "the third edit is not in the smallest free backup, add.cpp.~1~: $(ls backups/exercises/ch01)"
cmp -s mine2 backups/exercises/ch01/add.cpp.~2~ || fail "the third --force overwrote the second backup"
grep -q "an earlier backup, untouched: backups/exercises/ch01/add.cpp.7" out || fail "an older exgen's backup is not named: $(cat out)"

# Hints: from hints.md into exercises/.hints one line each, level 1 led by the section to
# read; the stubs and exercises/ get no other trace of them.
grep -qP "^1\.1\t1\tRead Chapter 1, section 'Adding'" exercises/.hints || fail "level 1 does not start with the section: $(cat exercises/.hints)"
[ "$(grep -P '^1\.1\t2\t' exercises/.hints | cut -f3)" = "two ints in, one out
(a second line of level 2)" ] || fail "level 2's two lines are not both in .hints: $(cat exercises/.hints)"
grep -qP "^1\.2\t1\tthe minus sign$" exercises/.hints || fail "exercise 1.2's hint is not in .hints: $(cat exercises/.hints)"
[ -e exercises/ch01/hints.md ] && fail "hints.md was copied into exercises/"
grep -rq "plus sign" exercises/ch01 && fail "a hint leaked into a stub"
# A hints file that does not fit the exercises stops generate and check, naming file and line.
cp solutions/ch01/hints.md hints.good
bad_hints() {  # what, the error's words; the hints file is as the caller just changed it
  run check >/dev/null 2>err && fail "check accepted $1: $(cat solutions/ch01/hints.md)"
  run generate --force >/dev/null 2>>err && fail "generate accepted $1"
  grep -qF -- "$2" err || fail "the error for $1 does not say '$2': $(cat err)"
  cp hints.good solutions/ch01/hints.md
}
printf '\n## Exercise 1.9\n\n1. nowhere\n' >> solutions/ch01/hints.md
bad_hints "hints for an exercise that does not exist" "solutions/ch01/hints.md:13: hints for exercise 1.9, which no BEGIN EXERCISE marker defines"
sed -i '/^## Exercise 1.2/,$d' solutions/ch01/hints.md
bad_hints "an exercise without hints" "solutions/ch01/sub.cpp:2: exercise 1.2 has no hints in solutions/ch01/hints.md"
sed -i 's/^2\. two ints/3. two ints/' solutions/ch01/hints.md
bad_hints "a skipped level" "solutions/ch01/hints.md:6: level 3 of exercise 1.1 comes after level 1: levels count up from 1"
sed -i 's/^1\. the plus/2. the plus/' solutions/ch01/hints.md
bad_hints "a level before level 1" "solutions/ch01/hints.md:5: level 2 of exercise 1.1 comes after level 0"
sed -i 's/^2\. two ints/1. two ints/' solutions/ch01/hints.md
bad_hints "a level given twice" "solutions/ch01/hints.md:6: level 1 of exercise 1.1 comes after level 1"
sed -i '/^1\. the minus sign/d' solutions/ch01/hints.md
bad_hints "a heading without levels" "solutions/ch01/hints.md:9: exercise 1.2 has a heading but no levels"
printf '\n## Exercise 1.1\n\n1. again\n' >> solutions/ch01/hints.md
bad_hints "a second heading for one exercise" "solutions/ch01/hints.md:13: a second heading for exercise 1.1 (the first is line 3)"
sed -i 's/^   (a second/(a second/' solutions/ch01/hints.md
bad_hints "an unindented stray line" "solutions/ch01/hints.md:7: expected a level"
sed -i 's/^1\. the minus sign/1. the minus\tsign/' solutions/ch01/hints.md
bad_hints "a tab, which would split its line of exercises/.hints" "solutions/ch01/hints.md:11: a tab"
# The hints' former place, a HINT comment in the region, is refused with their new place named.
cp solutions/ch01/add.cpp add.good
sed -i 's|^    return b + a;|    // HINT 1.1 1: the plus sign\n    return b + a;|' solutions/ch01/add.cpp
run check >/dev/null 2>err && fail "a HINT line in a solution was accepted"
grep -qF "solutions/ch01/add.cpp:3: a HINT line; hints now go in solutions/ch01/hints.md" err || fail "the HINT line's error: $(cat err)"
cp add.good solutions/ch01/add.cpp
run check >/dev/null || fail "check fails once the hints are right again"

# exgen stub (grading): the region holding a line is replaced by the stub's throw.
mkdir -p graded/exercises/ch01 && cp solutions/ch01/add.cpp graded/exercises/ch01/add.cpp
[ "$("$exgen" stub --file graded/exercises/ch01/add.cpp --chapters chapters --lines 3)" = 1.1 ] || fail "stub did not name exercise 1.1"
grep -q 'throw bp::NotImplemented("1.1", "exercises/ch01/add.cpp"' graded/exercises/ch01/add.cpp || fail "stub did not replace the region"
status=0; "$exgen" stub --file graded/exercises/ch01/add.cpp --chapters chapters --lines 1 >/dev/null || status=$?
[ $status -eq 3 ] || fail "a line outside every region did not exit 3 (got $status)"

# A BEGIN line that clang-format wraps, or has wrapped, stops generate and check, naming file,
# line and exercise: the words on the next line would be lost to the stub and the exercise list.
# marker COLUMNS LAST WIDTH NEXT: add.cpp with a BEGIN line of COLUMNS columns ending in the word
# LAST (WIDTH columns wide), then the line NEXT.
cp solutions/ch01/add.cpp add.good
marker() {
  local head="    // BEGIN EXERCISE 1.1 (ch01-add): add: the sum a + b"
  local fill; fill=$(printf '%*s' $(($1 - ${#head} - 2 - $3)) '' | tr ' ' x)
  printf 'int add(int a, int b) {\n%s %s %s\n%s\n    return a + b;\n    // END EXERCISE 1.1\n}\n' "$head" "$fill" "$2" "$4" \
    > solutions/ch01/add.cpp
}
refused() {  # what, the error's words
  run check >/dev/null 2>err && fail "check accepted $1: $(sed -n 2,3p solutions/ch01/add.cpp)"
  cp -r exercises exercises.before
  run generate --force >/dev/null 2>>err && fail "generate accepted $1"
  diff -r exercises.before exercises >/dev/null || fail "generate wrote exercises although it refused $1"
  rm -r exercises.before
  grep -qF -- "$2" err || fail "the error for $1 does not say '$2': $(cat err)"
}
marker 139 return 6 "    // a + b."  # 139 + 1 + 5 > 140: clang-format put "a + b." on a line of its own
refused "a wrapped BEGIN line" \
  'solutions/ch01/add.cpp:2: the instruction of exercise 1.1 wraps onto the next line ("a" on line 3 did not fit); shorten it to fit in 140 columns'
marker 138 return 6 "    // n."  # 138 + 1 + 2 = 141: "n." would not have fitted either
refused "a BEGIN line wrapped before its last word" 'the instruction of exercise 1.1 wraps onto the next line ("n." on line 3'
marker 141 sum. 4 "    return a + b;"
refused "a BEGIN line past the limit" "the instruction of exercise 1.1 is 141 columns long, and clang-format will wrap it"
# A separate comment after a BEGIN line short enough (138 + 1 + 1 = 140) is no wrap; nor is one
# whose first word fits only in characters: "⊙" is one column, as clang-format counts, not 3 bytes.
marker 138 sum. 4 "    // m and v start at 0."
run check >/dev/null 2>err && fail "check passed on a changed solution"
grep -q "wraps\|columns" err && fail "a separate comment after a BEGIN line that fits was taken for a wrap: $(cat err)"
marker 137 "a ⊙ b." 6 "    // ab"
run check >/dev/null 2>err && fail "check passed on a changed solution"
grep -q "wraps\|columns" err && fail "a UTF-8 character was counted as more than one column: $(cat err)"
# The limit is the ColumnLimit of the nearest .clang-format (the solutions' folder or above).
printf 'BasedOnStyle: Google\nColumnLimit: 100  # narrower\n' > .clang-format
marker 99 sum. 4 "    // n."
refused "a BEGIN line wrapped at the .clang-format's limit" "shorten it to fit in 100 columns"
printf 'ColumnLimit: 140\n' > .clang-format
cp add.good solutions/ch01/add.cpp
run check >/dev/null || fail "check fails once the BEGIN line is short again"

sed -i 's/(ch01-add)/(ch01-nowhere)/' solutions/ch01/add.cpp
run check >/dev/null 2>err && fail "a marker pointing at a missing section was accepted"
grep -q "ch01-nowhere" err || fail "the error does not name the missing section"
echo "exgen_test: ok"
