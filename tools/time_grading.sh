#!/usr/bin/env bash
# Times ./course grade on a class of N copies of a full submission (the reference solutions),
# each copy's exercise files made different by a comment, as different students' files are, so
# that every file of every submission is compiled. The set-up (the build and the timing of the
# reference) is done first and timed apart. A measurement, not a test.
#
#   tools/time_grading.sh [N]   (from the repository's root; default 10 copies)
set -euo pipefail
n=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -d solutions ] || { echo "time_grading: needs solutions/ (the full repository)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/one" "$work/class"
cp -r solutions "$work/one/exercises"
for i in $(seq 1 "$n"); do
  cp -r "$work/one" "$work/class/student$i"
  find "$work/class/student$i/exercises" -name '*.cpp' -exec sh -c 'echo "// student $1" >>"$2"' _ "$i" {} \;
done
start=$(date +%s.%N)
./course grade "$work/one" --out "$work/out-one" >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
setup=$(date +%s.%N)
./course grade "$work/class" --out "$work/out" >"$work/class.log" 2>&1 || { cat "$work/class.log"; exit 1; }
end=$(date +%s.%N)
grep -c "^student" "$work/out/grades.csv" >/dev/null
awk -v a="$start" -v b="$setup" -v c="$end" -v n="$n" -v cores="$(nproc)" 'BEGIN {
  printf "time_grading: set-up and one submission %.0f s; a class of %d full submissions %.0f s (%.1f s each) on %d cores\n", b - a, n, c - b, (c - b) / n, cores }'
grep "took" "$work/class.log" | sed 's/^/  /'
