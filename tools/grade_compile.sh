#!/usr/bin/env bash
# Grading's compile step: compiles each exercise file of build/graded/exercises (a copy of a
# submission's exercises/) as its own ninja target, its object file in the grade build, and
# takes which files fail from the build's own result (the exit status of each target), never
# from the compiler's text. In a file that fails, each exercise is tried alone (the file with
# the other exercises as their stubs): those that do not compile alone are replaced by their
# stubs (exgen stub), the others are graded as written. If the file does not compile even with
# every exercise stubbed (the given code around them was changed), it becomes the untouched
# stub. Writes FAILURES: one line per exercise that did not compile, its id and a message.
#
# Then a file that defines a function of the system's libraries (write, malloc, exp, memcmp...)
# becomes its untouched stub (from STUBS), each of its exercises refused with the names: the
# dynamic linker finds the course's library before the system's, so that function would replace
# the system's in the whole test program, the tests' own checks and their report included.
#
#   tools/grade_compile.sh FAILURES [STUBS]   (from the repository's root, after the grade build was configured)
set -euo pipefail
failures=$1 stubs=${2:-}
build=${BP_GRADE_BUILD:-build/grade} graded=${BP_GRADED:-build/graded/exercises}  # (other folders: its test)
root=$PWD
: >"$failures"
say() { printf '%s\n' "$*"; }

# The object target of each exercise file, as ninja names it.
declare -A object
for file in $(cd "$graded" && find . -name '*.cpp' | sed 's#^\./##' | sort); do
  object[$file]=$(ninja -C "$build" -t query "$(realpath "$graded/$file")" | awk '/^  outputs:/ { o = 1; next } o && $1 ~ /\.cpp\.o$/ { print $1; exit }')
done
compiles() { LC_ALL=C ninja -C "$build" "${object[$1]}" >"$build/grade-compile.log" 2>&1; }
# All at once, going on past failures, then each alone: the failed ones fail again.
LC_ALL=C ninja -C "$build" -j "${CMAKE_BUILD_PARALLEL_LEVEL:-2}" -k 0 "${object[@]}" >"$build/grade-compile.log" 2>&1 || true
failed=()
for file in "${!object[@]}"; do compiles "$file" || failed+=("$file"); done

# The exercises of FILE in the submission, with a line inside each region (after BEGIN).
regions() { awk '/\/\/ BEGIN EXERCISE/ { print $4 "\t" NR + 1 }' "$1"; }
# The compiler's first error, for the message only (what was graded does not depend on it).
first_error() { grep -m1 -oE "error: .*" "$build/grade-compile.log" | sed -E "s/ \{aka [^}]*\}//g" | cut -c1-200 || true; }

for file in "${failed[@]}"; do
  copy=$build/grade-trial.cpp
  cp "$graded/$file" "$copy"
  mapfile -t exercises < <(regions "$copy")
  # Every exercise stubbed: if that does not compile, the code around them was changed.
  cp "$copy" "$graded/$file"
  "$build/exgen" stub --file "$graded/$file" --chapters chapters >/dev/null || true
  if ! compiles "$file"; then
    message="$(first_error) (outside the exercises: the code around them was changed)"
    if [ -d solutions ]; then
      rm -rf build/grade-stubs
      "$build/exgen" generate --solutions solutions --exercises build/grade-stubs/exercises --chapters chapters >/dev/null
      cp "build/grade-stubs/exercises/$file" "$graded/$file"
    fi
    for line in "${exercises[@]}"; do
      printf '%s\t%s\n' "${line%%$'\t'*}" "$message" | sed 's/\\/\\\\/g' >>"$failures"
      say "course: exercise ${line%%$'\t'*} does not compile; graded as not done: $message"
    done
    continue
  fi
  # Each exercise alone, the others stubbed.
  bad=() messages=()
  for line in "${exercises[@]}"; do
    id=${line%%$'\t'*}
    others=$(printf '%s\n' "${exercises[@]}" | awk -F'\t' -v id="$id" '$1 != id { print $2 }' | paste -sd,)
    cp "$copy" "$graded/$file"
    [ -z "$others" ] || "$build/exgen" stub --file "$graded/$file" --chapters chapters --lines "$others" >/dev/null
    if ! compiles "$file"; then bad+=("${line#*$'\t'}"); messages+=("$id"$'\t'"$(first_error)"); fi
  done
  # The file as submitted, with the exercises that do not compile alone stubbed.
  cp "$copy" "$graded/$file"
  [ ${#bad[@]} -eq 0 ] || "$build/exgen" stub --file "$graded/$file" --chapters chapters --lines "$(IFS=,; echo "${bad[*]}")" >/dev/null
  if ! compiles "$file"; then  # together they still do not: every exercise of the file as its stub
    cp "$copy" "$graded/$file"
    "$build/exgen" stub --file "$graded/$file" --chapters chapters >/dev/null
    messages=()
    for line in "${exercises[@]}"; do messages+=("${line%%$'\t'*}"$'\t'"the file does not compile with its exercises together"); done
  fi
  for line in "${messages[@]}"; do
    printf '%s\t%s\n' "${line%%$'\t'*}" "${line#*$'\t'}" | sed 's/\\/\\\\/g' >>"$failures"
    say "course: exercise ${line%%$'\t'*} does not compile; graded as not done: ${line#*$'\t'}"
  done
done

# What the system's libraries define, from the libraries the test program loads (not ours).
[ -n "$stubs" ] || exit 0
system=$build/system-symbols.txt
for lib in $(ldd "$build/tests/course_tests" | awk '$3 ~ /^\// && $1 !~ /libbackprop/ { print $3 }'); do
  nm -D --defined-only -P "$lib"
done | awk '{ sub(/@.*/, "", $1); print $1 }' | LC_ALL=C sort -u >"$system"
[ -s "$system" ] || { say "course: cannot list the system libraries' functions (ldd, nm)"; exit 1; }
for file in "${!object[@]}"; do
  [ -f "$build/${object[$file]}" ] || continue
  # Not a C++ template's or inline function's copy (weak, W V u: made from the same headers as
  # the library's own, so harmless where the linker picks one), which any file may hold.
  taken=$(nm -g --defined-only -P "$build/${object[$file]}" | awk '$2 !~ /^[WVu]$/ || $1 !~ /^_Z/ { print $1 }' | LC_ALL=C sort -u | LC_ALL=C comm -12 - "$system" |
    head -3 | c++filt | awk 'NR > 1 { printf ", " } { printf "%s", $0 }')
  [ -n "$taken" ] || continue
  cp "$stubs/$file" "$graded/$file"
  compiles "$file" || { say "course: the stub of $file does not compile"; exit 1; }
  for line in $(regions "$graded/$file" | cut -f1); do
    printf '%s\trefused: exercises/%s defines %s, which the system'"'"'s libraries define (it would replace theirs in the whole test program): the file was graded as its stub\n' \
      "$line" "$file" "$taken" | sed 's/\\/\\\\/g' >>"$failures"
    say "course: exercise $line: refused: exercises/$file defines $taken, which the system's libraries define"
  done
done
