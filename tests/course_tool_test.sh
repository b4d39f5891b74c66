#!/usr/bin/env bash
# The course tool's promises, tried on a copy of it in a throwaway folder where cmake, ctest,
# dpkg-query and the test program are stand-ins that record how they were called: it works
# through a symlink and from another folder, reads chapter numbers as decimal (08, 09, 01),
# says so and exits 2 for an unknown command, exits 0 for --help, and warns when the student
# edition leaves uncommitted work out. A missing exercise file stops the build (CMake, with the
# real cmake on a small project) naming the file and the ways back, the tool shows that whole,
# and watch checks when a file is deleted; a compile error in an exercise file is named from
# the compiler's JSON diagnostics with its line, exercise and Eigen hint; backups are not git-ignored; train checks its
# options with the program's options alone before the long build; demo and experiment build and
# run the chapter's programs asked for, and name a chapter or experiment that has none; a build
# made by another compiler than its preset names is made again.
#
# The student's side (tools/student.cpp, course_student) is the real program, given here, on a
# small exercise list.
#
#   course_tool_test.sh PATH/TO/course PATH/TO/course_student
set -euo pipefail
course=$(realpath "$1")
student=$(realpath "$2")
real_cmake=$(command -v cmake)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "course_tool_test: $*" >&2; exit 1; }

# A fake repository holding a copy of the tool, with a student build already configured.
repo=$work/repo
mkdir -p "$repo/bin" "$repo/build/student/tests" "$repo/build/student/chapters/09-deep" "$repo/chapters" "$repo/exercises"
echo "bp_chapter_program(ch09 ch09-demo demo.cpp demo.out)" > "$repo/chapters/09-deep.cmake"
mkdir -p "$repo/chapters/09-deep" && mv "$repo/chapters/09-deep.cmake" "$repo/chapters/09-deep/CMakeLists.txt"
cp "$course" "$repo/course"
mkdir -p "$repo/tools" && cp "$(dirname "$course")/tools/edition.sh" "$repo/tools/"  # ./course edition's
touch "$repo/build/student/build.ninja"
# The chapters' programs, as CMake lists them for the course tool.
printf '9\tdemo\tdemo\tch09-demo\t%s\n' "$repo/build/student/chapters/09-deep/ch09-demo" > "$repo/build/student/programs.tsv"
log=$work/calls
stand_in() {  # stand_in FILE: a program that appends "<its name> <folder> <arguments>" to the log
  printf '#!/usr/bin/env bash\necho "${0##*/} $PWD $*" >> "%s"\n%s\n' "$log" "${2:-exit 0}" > "$1"
  chmod +x "$1"
}
stand_in "$repo/bin/cmake"
stand_in "$repo/bin/ctest"
stand_in "$repo/bin/dpkg-query" 'for p in "${@:3}"; do echo "$p install ok installed"; done' 
stand_in "$repo/build/student/tests/course_tests"
cp "$student" "$repo/build/student/course_student"
manifest() {  # manifest ID FILE [ID FILE...]: the student build's exercise list
  : > "$repo/build/student/exercises.tsv"
  while [ $# -gt 0 ]; do
    printf '%s\t%s\tChapter\t%s\t1\tanchor\tread\thint\t3\t1\tch%02d\n' "$1" "${1%%.*}" "$2" "${1%%.*}" >> "$repo/build/student/exercises.tsv"
    shift 2
  done
}
manifest 1.2 exercises/ch01/one.cpp 1.3 exercises/ch01/three.cpp
stand_in "$repo/build/student/chapters/09-deep/ch09-demo"
export PATH="$repo/bin:$PATH"

# Through a symlink, from another folder.
mkdir -p "$work/elsewhere"
ln -s "$repo/course" "$work/elsewhere/course-link"
cd "$work/elsewhere"

./course-link --help > out || fail "--help exited $?, not 0"
grep -q "./course check" out || fail "--help does not list the commands"
./course-link help > /dev/null || fail "help exited $?, not 0"
# Every command of the dispatch is listed, one line each (in the real repository, which has solutions/).
"$course" help > all || fail "help in the repository exited $?"
[ -d "$(dirname "$course")/solutions" ] ||  # the student edition lists only what works there
  sed -n '/^commands() {/,/^EOF/p' "$course" | grep '^F ' | awk '{ print "  ./course " $2 }' >> all
for c in $(sed -n '/^case "\$command" in/,/^esac/p' "$course" | grep -oE '^  [a-z0-9-]+( \| [a-z-]+)*\)' | tr -d ' )' | tr '|' ' '); do
  case "$c" in --help | -h) continue ;; esac
  grep -qE "^  \./course $c( |$)" all || fail "help does not list '$c'"
done
# A description's second line is indented under the first, not shown as a command.
grep -qE '^  \./course {2,}' all && fail "help shows a description's second line as a command: $(grep -E '^  \./course {2,}' all)"
# Without solutions/ (the student edition), no command that needs them is listed.
grep -q "./course generate" out && fail "help lists instructors' commands in a repository without solutions/"

status=0
./course-link frobnicate > out 2> err || status=$?
[ "$status" -eq 2 ] || fail "an unknown command exited $status, not 2"
grep -q "unknown command 'frobnicate'" err || fail "an unknown command is not named: $(cat err)"
# benchmark: a chapter without a benchmark is a usage error; a --python that cannot import torch
# is named, before any package is installed or anything built.
status=0
"$course" benchmark 6 > out 2> err || status=$?
[ "$status" -eq 2 ] || fail "benchmark 6 exited $status, not 2"
status=0
"$course" benchmark 7 --python "$work/no-python" > out 2> err || status=$?
[ "$status" -eq 1 ] && grep -q -- "--python $work/no-python: cannot import torch" err || fail "benchmark --python with no Python: $status, $(cat err)"

: > "$log"
./course-link check 08 > out 2> err || fail "check 08 failed: $(cat err)"
grep -q "octal" err && fail "check 08 was read as octal: $(cat err)"
grep -q "^ctest $repo .*-L ^ch08[$]$" "$log" || fail "check 08 did not run chapter 8's tests from the repository: $(cat "$log")"
grep -q "^course_tests $repo .*--only=8\$" "$log" || fail "check 08 did not report chapter 8: $(cat "$log")"

: > "$log"
./course-link check 01 > /dev/null 2> err || fail "check 01 failed: $(cat err)"
grep -q "^course_tests .*--only=1\$" "$log" || fail "check 01 asked for chapter '01', not 1: $(cat "$log")"
: > "$log"
./course-link check 01.03 > /dev/null 2> err || fail "check 01.03 failed: $(cat err)"
grep -q "^course_tests .*--only=1.3\$" "$log" || fail "check 01.03 asked for another exercise than 1.3: $(cat "$log")"
grep -q "^ctest .*-L ^ex(1\\\\.3)[$]$" "$log" || fail "check 01.03 ran other tests than exercise 1.3's: $(cat "$log")"
# An exercise is checked with the others of its file, which the same edit may have changed.
manifest 1.2 exercises/ch01/two.cpp 1.3 exercises/ch01/two.cpp
: > "$log"
./course-link check 1.3 > /dev/null 2> err || fail "check 1.3 failed: $(cat err)"
grep -q "^ctest .*-L ^ex(1\\\\.2|1\\\\.3)[$]$" "$log" || fail "check 1.3 did not run exercise 1.2's tests too (same file): $(cat "$log")"
# The exit code says whether what was asked for is done (course_tests --progress: 4, not done).
stand_in "$repo/build/student/tests/course_tests" 'exit 4'
status=0
./course-link check 1.3 > /dev/null 2> err || status=$?
[ "$status" -eq 1 ] || fail "check 1.3 on an exercise not done exited $status, not 1"
./course-link check > /dev/null 2> err || fail "check (everything) exited non-zero while only exercises are not done: $(cat err)"
stand_in "$repo/build/student/tests/course_tests" 'exit 8'
status=0
./course-link check > /dev/null 2> err || status=$?
[ "$status" -eq 1 ] || fail "check with a library check failing exited $status, not 1"
stand_in "$repo/build/student/tests/course_tests"
# An exercise whose file changed since its report is run again with the one asked for.
mkdir -p "$repo/exercises/ch01" "$repo/build/student/test-reports"
manifest 1.2 exercises/ch01/two.cpp 1.3 exercises/ch01/three.cpp
echo "// one" > "$repo/exercises/ch01/two.cpp"
echo "// three" > "$repo/exercises/ch01/three.cpp"
stand_in "$repo/bin/ctest" 'touch build/student/test-reports/ex1.2.tsv build/student/test-reports/ex1.3.tsv'
./course-link check > /dev/null 2> err || fail "check failed: $(cat err)"
: > "$log"
./course-link check 1.3 > /dev/null 2> err || fail "check 1.3 failed: $(cat err)"
grep -q "^ctest .*-L ^ex(1\\\\.3)[$]$" "$log" || fail "check 1.3 ran more than 1.3 with no other file changed: $(cat "$log")"
echo "// one, edited" > "$repo/exercises/ch01/two.cpp"
: > "$log"
./course-link check 1.3 > /dev/null 2> err || fail "check 1.3 failed: $(cat err)"
grep -q "^ctest .*-L ^ex(1\\\\.2|1\\\\.3)[$]$" "$log" || fail "check 1.3 did not re-run 1.2, whose file changed since its report: $(cat "$log")"
stand_in "$repo/bin/ctest"
rm -rf "$repo/exercises/ch01" "$repo/build/student/test-reports" "$repo/build/student/report-stamps.tsv"
manifest 1.2 exercises/ch01/one.cpp 1.3 exercises/ch01/three.cpp

: > "$log"
./course-link demo 09 --graph g.dot > /dev/null 2> err || fail "demo 09 failed: $(cat err)"
grep -q "^cmake .* --build build/student --target ch09-demo$" "$log" || fail "demo 09 did not build chapter 9's demo alone: $(cat "$log")"
grep -q "^ch09-demo $work/elsewhere --graph g.dot$" "$log" || fail "demo 09 did not run chapter 9's demo, with its options, where it was called: $(cat "$log")"

# Experiments: one (NAME) or all, each into the chapter's figures folder; all run even when one
# fails, whose status is the command's. The mistakes are named before anything is built.
figures=$repo/build/student/figures/ch09
for name in spread depth; do
  printf '9\texperiment\t%s\tch09-experiment-%s\t%s\n' "$name" "$name" "$repo/build/student/chapters/09-deep/ch09-experiment-$name" >> "$repo/build/student/programs.tsv"
  stand_in "$repo/build/student/chapters/09-deep/ch09-experiment-$name"
done
: > "$log"
./course-link experiment 9 spread --seed 3 > out 2> err || fail "experiment 9 spread failed: $(cat err)"
grep -q "^cmake .* --build build/student --target ch09-experiment-spread$" "$log" || fail "experiment 9 spread did not build it alone: $(cat "$log")"
grep -q "^ch09-experiment-spread $repo $figures --seed 3$" "$log" || fail "experiment 9 spread did not run it into $figures: $(cat "$log")"
grep -q "^ch09-experiment-depth" "$log" && fail "experiment 9 spread ran another experiment: $(cat "$log")"
grep -q "^course: the figures and their data are in $figures$" out || fail "experiment 9 spread did not say where its figures are: $(cat out)"
stand_in "$repo/build/student/chapters/09-deep/ch09-experiment-depth" 'exit 3'
: > "$log"
status=0
./course-link experiment 9 > out 2> err || status=$?
[ "$status" -eq 3 ] || fail "experiment 9 with one failing exited $status, not 3"
grep -q "^ch09-experiment-spread " "$log" || fail "experiment 9 stopped at a failing experiment: $(cat "$log")"
grep -q "figures and their data" out && fail "experiment 9 pointed at the figures after a failure: $(cat out)"
stand_in "$repo/build/student/chapters/09-deep/ch09-experiment-depth"
./course-link experiment 9 --help > out 2> err || fail "experiment 9 --help failed: $(cat err)"
grep -q "^./course experiment 9 depth \[OPTIONS\], with the options below (not \[folder\]: this tool writes into build/student/figures/ch09):$" out &&
  grep -q "^./course experiment 9 spread \[OPTIONS\]" out || fail "experiment 9 --help did not head each one's options: $(cat out)"
expect() {  # expect STATUS MESSAGE ARGUMENTS...: ./course ARGUMENTS fails so, building nothing but course_student
  local want=$1 message=$2 status=0
  shift 2
  : > "$log"
  ./course-link "$@" > out 2> err || status=$?
  [ "$status" -eq "$want" ] || fail "$* exited $status, not $want: $(cat err)"
  grep -qF "course: $message" err || fail "$* did not say '$message': $(cat err)"
  grep -q -- "--target ch" "$log" && fail "$* built a program: $(cat "$log")"
  return 0
}
expect 1 "chapter 9 has no experiment 'nonexistent'; it has: depth spread" experiment 9 nonexistent
expect 1 "chapter 3 has no experiments" experiment 03
expect 1 "chapter 3 has no demos" demo 3
expect 2 "usage: ./course demo N (a chapter number)" demo x
expect 2 "--reference is for experiments: ./course experiment N --reference" demo 9 --reference
expect 1 "--reference runs the experiments on solutions/, which the student edition does not have; ./course experiment 9 runs them on your code" \
  experiment 9 --reference
# With solutions/, --reference runs them from the reference build, its course_student too.
mkdir -p "$repo/solutions" "$repo/build/reference/chapters/09-deep"
touch "$repo/build/reference/build.ninja"
cp "$student" "$repo/build/reference/course_student"
printf '9\texperiment\tspread\tch09-experiment-spread\t%s\n' "$repo/build/reference/chapters/09-deep/ch09-experiment-spread" > "$repo/build/reference/programs.tsv"
stand_in "$repo/build/reference/chapters/09-deep/ch09-experiment-spread"
: > "$log"
./course-link experiment 9 --reference --help > out 2> err || fail "experiment 9 --reference failed: $(cat err)"
grep -q "^cmake .* --build build/reference --target course_student$" "$log" && grep -q "^cmake .* --build build/reference --target ch09-experiment-spread$" "$log" ||
  fail "experiment 9 --reference did not build in the reference build: $(cat "$log")"
grep -q "^ch09-experiment-spread $repo $repo/build/reference/experiments/ch09 --help$" "$log" || fail "experiment 9 --reference did not run the reference program: $(cat "$log")"
grep -q "^./course experiment 9 --reference spread \[OPTIONS\].*writes into build/reference/experiments/ch09):$" out || fail "experiment 9 --reference --help's header: $(cat out)"
rm -r "$repo/solutions" "$repo/build/reference"

status=0
./course-link check 1.x > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "check 1.x exited $status, not 2"

# An exercise list not in exgen's format (an older exgen's) is named with its line, not misread.
printf '1.4\t1\tChapter\texercises/ch01/four.cpp\t1\tanchor\tread\thint\n' >> "$repo/build/student/exercises.tsv"
./course-link check 1.2 > /dev/null 2> err && fail "check read an exercise list with a short line"
grep -q "build/student/exercises.tsv:3: 8 fields, not exgen's 11" err || fail "the short line of the exercise list is not named: $(cat err)"
manifest 1.2 exercises/ch01/one.cpp 1.3 exercises/ch01/three.cpp

# A missing exercise file (deleted, renamed) stops the configure step, named with the ways to
# get it back: the newest backup, a file beside it that may be it renamed, ./course generate.
project=$work/project
mkdir -p "$project/exercises/ch01" "$project/backups/exercises/ch01" "$project/solutions" "$project/build"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(t NONE)\ninclude("%s")\nbp_check_exercise_files("${PROJECT_SOURCE_DIR}/exercises")\n' \
  "$(dirname "$course")/tools/exercise_files.cmake" > "$project/CMakeLists.txt"
printf '# hashes\n1 .hints\n2 ch01/a.cpp\n3 ch01/b.cpp\n' > "$project/exercises/.exgen-hashes"
printf '1.2\t1\tChapter 1\texercises/ch01/b.cpp\t3\tch01-b\tread\thint\n' > "$project/build/exercises.tsv"
touch "$project/exercises/ch01/a.cpp" "$project/exercises/ch01/b-old.cpp"
echo "// an older exgen's backup" > "$project/backups/exercises/ch01/b.cpp.11"
for n in 1 2 10; do echo "// backup $n" > "$project/backups/exercises/ch01/b.cpp.~$n~"; done
"$real_cmake" -S "$project" -B "$project/build" > out 2>&1 && fail "the configure step went on without exercises/ch01/b.cpp"
grep -q "exercises/ch01/b.cpp is missing" out || fail "the missing file is not named: $(cat out)"
grep -q "exercises/ch01/a.cpp is missing" out && fail "a file that is there was named missing: $(cat out)"
grep -q "exercise 1.2" out || fail "the exercise the missing file held is not named: $(cat out)"
grep -q "cp backups/exercises/ch01/b.cpp.~10~ exercises/ch01/b.cpp" out || fail "the newest backup is not offered: $(cat out)"
grep -q "mv exercises/ch01/b-old.cpp exercises/ch01/b.cpp" out || fail "the file that may be it renamed is not offered: $(cat out)"
grep -q "./course generate" out || fail "./course generate is not offered where solutions/ is: $(cat out)"
rm -r "$project/solutions" "$project/backups"
"$real_cmake" -S "$project" -B "$project/build" > out 2>&1 && fail "the configure step went on without exercises/ch01/b.cpp"
grep -q "./course generate" out && fail "./course generate is offered without solutions/: $(cat out)"
grep -q "from a fresh copy of the course" out || fail "without solutions/, the stub's way back is not named: $(cat out)"
mv "$project/exercises/ch01/b-old.cpp" "$project/exercises/ch01/b.cpp"
"$real_cmake" -S "$project" -B "$project/build" > out 2>&1 || fail "the configure step failed with every file there: $(cat out)"

# The tool shows a configure step's message whole (not only its lines that say "error").
stand_in "$repo/bin/cmake" '[ "$1" = --build ] || exit 0
printf "CMake Error at tools/exercise_files.cmake:87 (message):\n  exercises/ch01/b.cpp is missing (deleted, or renamed?)\n\n    the untouched stub:  ./course generate\n\nCall Stack (most recent call first):\n  CMakeLists.txt:78 (bp_check_exercise_files)\n\n-- Configuring incomplete, errors occurred!\nFAILED: build.ninja\n"; exit 1'
status=0
./course-link check > out 2> err || status=$?
[ "$status" -eq 1 ] || fail "check with a failed configure step exited $status, not 1"
grep -q "exercises/ch01/b.cpp is missing" err && grep -q "the untouched stub:  ./course generate" err ||
  fail "check does not show the configure step's message: $(cat err)"
grep -q "Call Stack" err && fail "check shows CMake's call stack: $(cat err)"
stand_in "$repo/bin/cmake"

# A compile error in an exercise file: the tool names it from the JSON diagnostics the compiler
# launcher saved (file:line, its source line), the exercise, and a hint for the Eigen mistake; an
# error inside Eigen's code is placed where the log's "required from here" puts it in the file.
mkdir -p "$repo/exercises/ch01" "$repo/build/student/diagnostics/ch01"
printf 'Matrix sigmoid(const Matrix& z) {\n    return z.exp();\n}\n' > "$repo/exercises/ch01/one.cpp"
cat > "$repo/build/student/diagnostics/ch01/one.cpp.json" <<EOF
[{"kind": "error", "message": "invalid use of incomplete type 'const struct Eigen::MatrixExponentialReturnValue<Eigen::Matrix<double, -1, -1> >'",
  "locations": [{"caret": {"file": "$repo/exercises/ch01/one.cpp", "line": 2, "column": 13}}], "children": []},
 {"kind": "error", "message": "static assertion failed: YOU_CANNOT_MIX_ARRAYS_AND_MATRICES",
  "locations": [{"caret": {"file": "/usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h", "line": 116, "column": 3}}], "children": []},
 {"kind": "warning", "message": "unused variable 'k'", "locations": [{"caret": {"file": "$repo/exercises/ch01/one.cpp", "line": 1, "column": 5}}]}]
EOF
stand_in "$repo/bin/cmake" '[ "$1" = --build ] || exit 0
printf "[1/2] Building CXX object one.cpp.o\nFAILED: one.cpp.o\ng++ -c one.cpp\n%s/exercises/ch01/one.cpp:2:5:   required from here\nan error in the text\n%s/exercises/ch01/one.cpp:2:9:   required from here\n/usr/include/eigen3/Eigen/src/Core/util/StaticAssert.h:143:29: error: static assertion failed: YOU_CANNOT_MIX_ARRAYS_AND_MATRICES\nninja: build stopped: subcommand failed.\n" "$PWD" "$PWD"; exit 1'
status=0
./course-link check 1.2 > out 2> err || status=$?
[ "$status" -eq 1 ] || fail "check with a compile error exited $status, not 1"
grep -q "exercises/ch01/one.cpp:2:13: error: invalid use of incomplete type" err || fail "the error is not named with its file:line: $(cat err)"
grep -q "^      return z.exp();" err || fail "the error's source line is not shown: $(cat err)"
grep -q "exercises/ch01/one.cpp:2:9: error (in Eigen's code): static assertion failed: YOU_CANNOT_MIX_ARRAYS_AND_MATRICES" err ||
  fail "an error in Eigen's code is not placed in the student's line: $(cat err)"
grep -q "that is in exercise 1.2: ./course hint 1.2" err || fail "the exercise is not named: $(cat err)"
grep -q "Hint: exp, log, sqrt" err && grep -q "Hint: this mixes a Matrix and an Array" err || fail "the Eigen hints are missing: $(cat err)"
grep -q "unused variable" err && fail "a warning is shown as a complaint: $(cat err)"
grep -q "the student build failed: fix the first error above (full log: build/student.log)" err || fail "the build's failure is not said: $(cat err)"
grep -q "Eigen::Matrix<double" err && fail "the types are not shortened: $(cat err)"
# Diagnostics older than their file (edited since) are not shown: the log's first failure is.
touch -d 2000-01-01 "$repo/build/student/diagnostics/ch01/one.cpp.json"
./course-link check 1.2 > out 2> err && fail "check with a failed build exited 0"
grep -q "Your code does not compile" err && fail "stale diagnostics were shown: $(cat err)"
grep -q "an error in the text" err || fail "without diagnostics, the log's failure is not shown: $(cat err)"
grep -qE "^\[1/2\]|^g\+\+ -c" err && fail "the log's progress lines or command were shown: $(cat err)"
# A compiler that was killed is not the student's mistake.
stand_in "$repo/bin/cmake" '[ "$1" = --build ] || exit 0
printf "FAILED: one.cpp.o\ng++: fatal error: Killed signal terminated program cc1plus\n"; exit 1'
./course-link check > out 2> err && fail "check with a killed compiler exited 0"
grep -q "the compiler itself was killed or crashed" err || fail "a killed compiler is not said: $(cat err)"
# Before course_student is built (a first build), the tool builds it to explain the failure;
# when that fails too, the log's tail.
mv "$repo/build/student/course_student" "$work/course_student"
: > "$log"
./course-link check > out 2> err && fail "check with a failed build exited 0"
grep -q "^cmake .* --build build/student --target course_student exercise_manifest$" "$log" || fail "course_student was not built to explain the failure: $(cat "$log")"
grep -q "Killed signal" err && grep -q "the student build failed (full log: build/student.log)" err || fail "without course_student, the log's tail is not shown: $(cat err)"
mv "$work/course_student" "$repo/build/student/course_student"
stand_in "$repo/bin/cmake"
rm -rf "$repo/exercises/ch01" "$repo/build/student/diagnostics"

# watch checks when a file is deleted: the build names it.
mkdir -p "$repo/exercises/ch01" && echo "// BEGIN EXERCISE 1.2" > "$repo/exercises/ch01/gone.cpp"
: > "$log"
(timeout 8 ./course-link watch > out 2>&1 || true) &
watcher=$!
sleep 3
rm "$repo/exercises/ch01/gone.cpp"
wait "$watcher"
grep -q "exercises/ch01/gone.cpp is gone" out || fail "watch said nothing of a deleted file: $(cat out)"
grep -q "^course_tests .*--progress" "$log" || fail "watch did not check after a file was deleted: $(cat "$log")"

# Backups (exgen generate --force) are where git sees them: not ignored.
if git -C "$(dirname "$course")" rev-parse --git-dir > /dev/null 2>&1; then
  git -C "$(dirname "$course")" check-ignore -q backups/exercises/ch01/dense.cpp.~1~ && fail "backups/ is git-ignored"
fi

# train checks its options with ch05-train-options (the options alone, built in seconds)
# before building ch05-train: a mistake is named at once, --help answered at once. For a line it
# takes, it names the build ch05-train needs for it: here $needs (fast unless set), there the
# real one's answer (tested in tests/CMakeLists.txt: ch05-train-options.*).
mkdir -p "$repo/build/fast/chapters/05-optimizers"
touch "$repo/build/fast/build.ninja"
stand_in "$repo/build/fast/chapters/05-optimizers/ch05-train-options" \
  'case " $* " in *" --bogus "*) echo "ch05-train: unknown option --bogus" >&2; exit 2 ;; *" --help "*) echo "usage: ch05-train" ;;
   *) echo "${needs:-fast}" ;; esac'
stand_in "$repo/build/fast/chapters/05-optimizers/ch05-train"
: > "$log"
status=0
./course-link train --mine --bogus > out 2> err || status=$?
[ "$status" -eq 2 ] || fail "train --mine --bogus exited $status, not 2"
[ "$(grep -c "unknown option --bogus" err)" -eq 1 ] || fail "train --mine --bogus did not name the option, once: $(cat err)"
grep -q -- "--target ch05-train-options" "$log" || fail "train did not build the options check: $(cat "$log")"
grep -q -- "--target ch05-train$" "$log" && fail "train built ch05-train before reporting a bad option: $(cat "$log")"
grep -q "^ch05-train " "$log" && fail "train ran ch05-train with a bad option"
: > "$log"
./course-link train --help > out 2> err || fail "train --help failed: $(cat err)"
grep -q "usage: ch05-train" out || fail "train --help did not print the program's help: $(cat out)"
grep -q -- "--target ch05-train$" "$log" && fail "train --help built ch05-train: $(cat "$log")"
: > "$log"
./course-link train --mine --epochs 1 > out 2> err || fail "train --mine --epochs 1 failed: $(cat err)"
grep -q "^ch05-train-options .* --engine course --epochs 1$" "$log" || fail "the options check did not get the command line: $(cat "$log")"
grep -q "^ch05-train .* --engine course --epochs 1$" "$log" || fail "train did not run ch05-train with the command line: $(cat "$log")"
awk '/^ch05-train-options /{a=NR} /--target ch05-train$/{b=NR} /^ch05-train /{c=NR} END{exit !(a && a < b && b < c)}' "$log" ||
  fail "train did not check the options, then build, then run: $(cat "$log")"
# train --engine libtorch and train --compare: the fast build's options say libtorch, and train
# runs ch05-train of the libtorch build, with libtorch-dev asked for; here, as in the student
# edition (no solutions/), configured on the exercises/.
mkdir -p "$repo/build/libtorch/chapters/05-optimizers"
stand_in "$repo/build/libtorch/chapters/05-optimizers/ch05-train"
for command in "--engine libtorch --epochs 1" "--compare" "--engine=libtorch"; do
  : > "$log"
  # shellcheck disable=SC2086
  needs=libtorch ./course-link train $command > out 2> err || fail "train $command failed: $(cat err)"
  grep -q "^ch05-train-options $repo --model $repo/build/models/fashion_mnist_mlp.bin $command$" "$log" ||
    fail "train $command did not ask the fast build's options which build it needs: $(cat "$log")"
  grep -q -- "--build build/libtorch --target ch05-train-options" "$log" && fail "train $command built the libtorch build's options: $(cat "$log")"
  grep -q "^dpkg-query .* libtorch-dev" "$log" || fail "train $command did not ask for libtorch-dev: $(cat "$log")"
  grep -q "^cmake .*--preset libtorch -DBP_EDITION_DIR=$repo/exercises$" "$log" ||
    fail "train $command did not configure the libtorch build on the exercises: $(cat "$log")"
  grep -q -- "--build build/libtorch --target ch05-train$" "$log" || fail "train $command did not build the libtorch build's ch05-train: $(cat "$log")"
  grep -q "^ch05-train $work/elsewhere --model $repo/build/models/fashion_mnist_mlp.bin $command$" "$log" ||
    fail "train $command did not run ch05-train with the command line: $(cat "$log")"
done
: > "$log"
needs=fast ./course-link train --engine libtorch --engine fast > out 2> err || fail "train --engine libtorch --engine fast failed: $(cat err)"
grep -q "preset libtorch\|build/libtorch\|libtorch-dev" "$log" && fail "train used the libtorch build when the options said fast: $(cat "$log")"
grep -q -- "--build build/fast --target ch05-train$" "$log" || fail "train did not build the fast build's ch05-train: $(cat "$log")"
# train --text: chapter 7's model, --mine from the fast build; without --mine it needs solutions/.
mkdir -p "$repo/build/fast/chapters/07-bptt"
stand_in "$repo/build/fast/chapters/07-bptt/ch07-char-lm-options"
stand_in "$repo/build/fast/chapters/07-bptt/ch07-char-lm"
: > "$log"
./course-link train --text --mine text.txt --steps 1 > out 2> err || fail "train --text --mine failed: $(cat err)"
grep -q "^ch07-char-lm $work/elsewhere --figures $repo/build/fast/figures/ch07 --model $repo/build/models/char_lm.bin text.txt --steps 1$" "$log" ||
  fail "train --text --mine did not run ch07-char-lm where it was called, with the command line: $(cat "$log")"
status=0
./course-link train --text > out 2> err || status=$?
[ "$status" -eq 1 ] && grep -q "the character model runs on your LSTM" err || fail "train --text without solutions/ exited $status: $(cat err)"

# The student edition is made from the last commit; uncommitted work left out is named.
if command -v git > /dev/null; then
  cd "$repo"
  printf '/build/\n/bin/\n' > .gitignore
  echo "# A chapter" > chapters/page.md
  mkdir -p solutions && echo "// the reference" > solutions/answer.cpp
  printf '# Course\n<!-- full repository -->\nsolutions/ is here\n<!-- end -->\n<!-- student edition:\nyour edition\n-->\n' > README.md
  git init -q . && git add -A
  git -c user.name=t -c user.email=t@t commit -q -m start
  echo "my change" >> chapters/page.md
  echo "new work" > notes.md
  cd "$work/elsewhere"
  export BP_EDITION_WITHOUT_SITE=1  # no reference build here: the edition without its site
  ./course-link edition student-copy > out 2> err || fail "edition failed: $(cat err)"
  [ -f student-copy/course ] || fail "edition did not write the folder relative to where it was called"
  grep -q "warning" err && grep -q "chapters/page.md" err && grep -q "notes.md" err || fail "edition did not name the uncommitted work: $(cat err)"
  grep -q "my change" student-copy/chapters/page.md && fail "edition took uncommitted work after all"
  [ -e student-copy/solutions ] && fail "the edition has solutions/"
  grep -q "solutions/" student-copy/README.md && fail "the edition's README speaks of solutions/: $(cat student-copy/README.md)"
  grep -q "your edition" student-copy/README.md || fail "the edition's README lacks its own part: $(cat student-copy/README.md)"
  cd "$repo" && git checkout -q chapters/page.md && rm notes.md && cd "$work/elsewhere"
  ./course-link edition clean-copy > /dev/null 2> err || fail "edition failed: $(cat err)"
  grep -q "warning" err && fail "edition warned with nothing uncommitted: $(cat err)"
fi
# A build made by another compiler than its preset names now is made again from scratch (CMake,
# seeing the compiler change, would drop the preset's other settings). Last: it removes build/student.
cd "$repo"
printf '{\n  "configurePresets": [\n    {\n      "name": "student",\n      "cacheVariables": {\n        "CMAKE_CXX_COMPILER": "new-c++"\n      }\n    }\n  ]\n}\n' > CMakePresets.json
printf 'CMAKE_CXX_COMPILER:FILEPATH=/usr/bin/old-c++\n' > build/student/CMakeCache.txt
: > "$log"
./course check > out 2>&1 || true
grep -q "build/student was made by old-c++; its preset now uses new-c++: making it again" out || fail "a build of another compiler was not named: $(cat out)"
[ -e build/student/CMakeCache.txt ] && fail "the build of another compiler was kept"
grep -q "^cmake .* --preset student" "$log" || fail "the build of another compiler was not configured again: $(cat "$log")"
echo "course_tool_test: ok"
