#!/usr/bin/env bash
# The naming rule of tests/README.md, checked on the test files of tests/: a chNN_ file holds
# chapter NN's suites only, ExN_M (exercise N.M's tests, N.M an exercise of the list) or
# ChNN<Topic> (the chapter's library checks), and not both kinds; a lib_ file holds Lib<Topic>
# suites; a suite lives in one file; a chNN_ or lib_ source that is not a chapter's reference
# cases (chNN_cases.cpp) is a test file, named ..._test.cpp. A suite by any other name would
# run in no ctest run (they select suites by these names), and an ExN_M suite of an exercise
# that does not exist in none.
#
#   names_test.sh TESTS_DIR EXERCISE_LIST (exercises.tsv, which exgen makes)
set -euo pipefail

dir=$1 manifest=$2
[ -f "$manifest" ] || { echo "names_test: no exercise list $manifest: build first" >&2; exit 1; }
status=0
fail() {
  echo "names_test: $*" >&2
  status=1
}

declare -A exercises home
while IFS=$'\t' read -r id _; do exercises[$id]=1; done <"$manifest"

files=0
for file in "$dir"/*.cpp; do
  name=${file##*/}
  case $name in
    ch[0-9][0-9]_cases.cpp) continue ;;  # registered at run time as ExN_M.reference_<case>
    ch[0-9][0-9]_test.cpp | ch[0-9][0-9]_*_test.cpp) scope=${name:0:4} ;;
    lib_*_test.cpp) scope=lib ;;
    ch[0-9][0-9]_* | lib_*)
      fail "$name: the build compiles every chNN_*.cpp and lib_*.cpp into the test program, so name it as a test file" \
           "(chNN_test.cpp, chNN_<topic>_test.cpp, lib_<topic>_test.cpp); a helper goes in a header (chNN_<topic>.hpp) or in check.hpp"
      continue
      ;;
    *) continue ;;  # the test program itself: main.cpp, check.cpp, report_*.cpp, ...
  esac
  files=$((files + 1))
  suites=$(grep -oE '^[[:space:]]*(TEST|TEST_F|TEST_P|TYPED_TEST)\([[:space:]]*[A-Za-z0-9_]+' "$file" |
           sed -E 's/.*\([[:space:]]*//' | sort -u)
  [ -n "$suites" ] || fail "$name: holds no test"
  exercise_suites=0 other_suites=0
  for suite in $suites; do
    if [ -n "${home[$suite]:-}" ] && [ "${home[$suite]}" != "$name" ]; then
      fail "suite $suite is in ${home[$suite]} and in $name: a suite lives in one file"
    fi
    home[$suite]=$name
    if [ "$scope" = lib ]; then
      [[ $suite =~ ^Lib[A-Z] ]] || fail "$name: suite $suite: a lib_ file's suites are named Lib<Topic> (ctest runs Lib*.* as 'library')"
      continue
    fi
    chapter=$((10#${scope:2}))
    if [[ $suite =~ ^Ex([0-9]+)_([0-9]+)$ ]]; then
      exercise_suites=$((exercise_suites + 1))
      id="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
      [ "${BASH_REMATCH[1]}" = "$chapter" ] || fail "$name: suite $suite tests exercise $id, which is not in chapter $chapter"
      [ -n "${exercises[$id]:-}" ] || fail "$name: suite $suite: there is no exercise $id in $manifest, so no ctest run selects it"
    elif [[ $suite =~ ^Ch${scope:2}[A-Z] ]]; then
      other_suites=$((other_suites + 1))
    else
      fail "$name: suite $suite: a ${scope}_ file's suites are Ex${chapter}_M (exercise $chapter.M) or Ch${scope:2}<Topic> (the chapter's library checks)"
    fi
  done
  if [ $exercise_suites -gt 0 ] && [ $other_suites -gt 0 ]; then
    fail "$name: holds exercise suites (Ex${chapter}_M) and library checks (Ch${scope:2}...): put them in files of their own"
  fi
done
[ $files -gt 0 ] || fail "no test file in $dir"
[ $status -eq 0 ] && echo "names_test: $files test files and ${#home[@]} suites follow the naming rule"
exit $status
