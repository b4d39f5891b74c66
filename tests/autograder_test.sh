#!/usr/bin/env bash
# ./course autograder's Gradescope bundle, run as Gradescope runs it: unpacked into a folder
# laid out as /autograder (source/, submission/, results/; AUTOGRADER_ROOT points there),
# setup.sh once, then run_autograder on a prepared submission (a student edition with 1.1 and
# chapter 2 done) in each accepted layout, and on one holding no exercise file. Checks that
# results.json is valid JSON with the expected score and says which layout it graded.
#
#   autograder_test.sh PATH/TO/course [GRADE OPTION...]   (a repository with solutions/; the
#       options go to ./course grade, such as --jobs 1; the bundle is made from the last commit)
set -euo pipefail
course=$(realpath "$1")
shift
root=$(dirname "$course")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "autograder_test: $*" >&2; exit 1; }
cd "$root"
started=$SECONDS

points() {  # the points of exercise $1, from tests/points.txt
  awk -v id="$1" '{ sub(/#.*/, "") } $1 == "default" { d = $2 } ($1 "") == (id "") { p = $2 } END { print (p != "" ? p : d) }' tests/points.txt
}
expected=0
for id in 1.1 2.1 2.2 2.3 2.4 2.6; do  # 2.5 and 2.7 call 1.2 and 1.10, not done (as in grade_test.sh)
  expected=$(awk -v a="$expected" -v b="$(points "$id")" 'BEGIN { print a + b }')
done

# The bundle, unpacked where Gradescope puts it; run_autograder copied to the top, as it does.
"$course" autograder "$work/autograder.zip" >"$work/bundle.log" 2>&1 || { cat "$work/bundle.log"; fail "./course autograder failed"; }
# The layout under build/ (git-ignored): the tests run with an empty /tmp, /var/tmp and /dev/shm
# of their own, so the test program cannot be there; and as user nobody, who must reach it.
mkdir -p build
ag=$(mktemp -d -p "$root/build" autograder-test.XXXXXX)
trap 'rm -rf "$work" "$ag"' EXIT
chmod 755 "$ag"
mkdir -p "$ag/source" "$ag/submission" "$ag/results"
unzip -q "$work/autograder.zip" -d "$ag/source"
[ -x "$ag/source/setup.sh" ] && [ -x "$ag/source/run_autograder" ] || fail "the bundle lacks an executable setup.sh or run_autograder at its top"
[ -d "$ag/source/course/solutions" ] && [ -x "$ag/source/course/course" ] || fail "the bundle lacks the repository (with solutions/) in course/"
[ ! -e "$ag/source/course/build" ] && [ ! -e "$ag/source/course/.git" ] || fail "the bundle holds build/ or .git"
cp "$ag/source/run_autograder" "$ag/run_autograder"
export AUTOGRADER_ROOT=$ag

t=$SECONDS
(cd "$ag/source" && ./setup.sh "$@") >"$work/setup.log" 2>&1 || { tail -n 40 "$work/setup.log"; fail "setup.sh failed"; }
setup_time=$((SECONDS - t))

# The prepared submission: a student edition with 1.1 and chapter 2 done.
BP_EDITION_WITHOUT_SITE=1 "$course" edition "$work/edition" >/dev/null 2>&1 || fail "could not make the student edition"
cp solutions/ch01/linear.cpp "$work/edition/exercises/ch01/"
cp solutions/ch02/loss.cpp "$work/edition/exercises/ch02/"

# run LAYOUT: run_autograder on submission/ as just laid out; checks results.json.
times=""
run() {
  local t=$SECONDS
  rm -rf "$ag/results" && mkdir "$ag/results"
  (cd "$ag" && ./run_autograder "${@:2}") >"$work/$1.log" 2>&1 || { tail -n 40 "$work/$1.log"; fail "run_autograder failed on the $1 layout"; }
  /usr/bin/python3 -m json.tool "$ag/results/results.json" >/dev/null || fail "$1: results.json is not valid JSON"
  times+=" $1 $((SECONDS - t)) s;"
  rm -rf "$ag/submission" && mkdir "$ag/submission"
}
score() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['score'])" "$ag/results/results.json"; }
says() { /usr/bin/python3 -c "import json,sys; sys.exit(sys.argv[2] not in json.load(open(sys.argv[1]))['output'])" "$ag/results/results.json" "$1"; }
check() {  # check LAYOUT TEXT: the expected score, and the output saying TEXT
  awk -v a="$(score)" -v b="$expected" 'BEGIN { exit !((a - b) ^ 2 < 1e-6) }' || fail "$1: scored $(score), not $expected"
  says "$2" || fail "$1: the output does not say '$2'"
}

cp -r "$work/edition/." "$ag/submission/"  # 1. the edition folder itself
run edition "$@"
check edition "Graded: the exercises/ folder of your submission"
cp -r "$work/edition" "$ag/submission/my-edition"  # 2. a zip of the edition folder, unpacked
run wrapped "$@"
check wrapped "Graded: the exercises/ folder inside my-edition/"
cp -r "$work/edition/exercises/." "$ag/submission/"  # 3. exercises/'s chapter folders
run chapters "$@"
check chapters "Graded: the chapter folders of your submission"
cp solutions/ch01/linear.cpp solutions/ch02/loss.cpp "$ag/submission/"  # 4. the files themselves
echo "// not an exercise" >"$ag/submission/notes.cpp"
run files "$@"
check files "not exercise files, so ignored: notes.cpp"
echo "my answers" >"$ag/submission/answers.txt"  # nothing to grade: 0, saying what to submit
run empty "$@"
[ "$(score)" = 0 ] && says "No exercise file found" || fail "a submission without exercise files did not score 0 with the reason"

echo "autograder_test: ok ($expected points in each layout; setup.sh $setup_time s;$times in all $((SECONDS - started)) s)"
