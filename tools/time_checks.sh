#!/usr/bin/env bash
# Times the student's loop as a student meets it, on a fresh copy of the repository:
#
#   1. the first `./course check` (configure, build, run everything; packages already installed);
#   2. for every exercise of chapters 1-5: edit its file (a comment line added at the end),
#      then `./course check N.M`, timed from the save to the printed verdict. The file is then
#      restored and rebuilt, untimed, so that each measurement sees one edited file.
#
# Prints each time, the median and the worst, with the load average beside them (the machine
# is shared: a timing means little without it) and the processor time the command and its
# compilers used (what an idle machine's wall time approaches, divided by the cores the build
# could use), and keeps every verdict in OUT/verdicts/ so that two versions of the course can
# be compared (diff -r).
#
#   tools/time_checks.sh [--repo DIR] [--out DIR] [--chapters "1 2 3 4 5"] [--only "1.1 3.2"] [--solved]
#
# --solved: the edit writes the exercise, as a student does: the file becomes the reference
# solution's (from solutions/), whose real code takes longer to compile than a stub.
# --repo: the repository to copy (default: this one; its working tree, committed or not, as a
# clone of it would hold it). --out: where the copy, the figures and the verdicts go (default:
# a new folder under /tmp, kept). The copy is built with -j2 like any student build.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
out="" chapters="1 2 3 4 5" only="" solved=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --chapters) chapters=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --solved) solved=1; shift ;;
    -h | --help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "time_checks: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/time-checks.XXXXXX)
mkdir -p "$out/verdicts"
copy=$out/course
[ ! -e "$copy" ] || { echo "time_checks: $copy already exists; give another --out" >&2; exit 1; }
mkdir -p "$copy"

# The files a clone holds: tracked ones (and new ones not ignored), without build/.
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "{}" ] && echo "{}"' |
    tar -cf - -T -) | tar -xf - -C "$copy"
else
  (cd "$repo" && tar -cf - --exclude=./build .) | tar -xf - -C "$copy"
fi

load() { cut -d' ' -f1 /proc/loadavg; }
# timed OUT CMD...: runs CMD with its output in OUT; sets wall and cpu (seconds, one decimal)
# and status.
timed() {
  local file=$1 t
  shift
  t=$(mktemp)
  status=0
  { TIMEFORMAT='%R %U %S'; time "$@" >"$file" 2>&1 || status=$?; } 2>"$t"
  wall=$(awk '{ printf "%.1f", $1 }' "$t")
  cpu=$(awk '{ printf "%.1f", $2 + $3 }' "$t")
  rm -f "$t"
}

cd "$copy"
echo "time_checks: course copied to $copy; load average $(cut -d' ' -f1-3 /proc/loadavg)"
l0=$(load)
timed "$out/verdicts/first-check.txt" ./course check
[ $status -eq 0 ] || { cat "$out/verdicts/first-check.txt"; echo "time_checks: the first check failed" >&2; exit 1; }
first=$wall first_cpu=$cpu
echo "first ./course check: ${first} s, ${first_cpu} s of processor time (load average $l0 before, $(load) after)"

# Every exercise of the chosen chapters, with its file, from the list the build made.
manifest=build/student/exercises.tsv
[ -f "$manifest" ] || { echo "time_checks: no $manifest after the first check" >&2; exit 1; }
times=() cpus=()
printf '%-6s %-34s %8s %8s  %s\n' exercise file seconds "cpu s" "load average"
while IFS=$'\t' read -r id chapter _ file _; do
  case " $chapters " in *" $chapter "*) ;; *) continue ;; esac
  if [ -n "$only" ]; then case " $only " in *" $id "*) ;; *) continue ;; esac; fi
  cp "$file" "$out/saved.cpp"
  l0=$(load)
  if [ $solved -eq 1 ]; then
    [ -f "solutions/${file#exercises/}" ] || { echo "time_checks: --solved needs solutions/${file#exercises/}" >&2; exit 1; }
    cp "solutions/${file#exercises/}" "$file"
  fi
  printf '\n// edited by time_checks.sh\n' >>"$file"
  timed "$out/verdicts/$id.txt" ./course check "$id"
  [ $status -eq 0 ] || { cat "$out/verdicts/$id.txt"; echo "time_checks: ./course check $id exited $status" >&2; exit 1; }
  times+=("$wall") cpus+=("$cpu")
  printf '%-6s %-34s %8s %8s  %s\n' "$id" "$file" "$wall" "$cpu" "$l0"
  cp "$out/saved.cpp" "$file"
  ./course check "$id" >/dev/null 2>&1  # rebuild the restored file, untimed
done <"$manifest"

[ ${#times[@]} -gt 0 ] || { echo "time_checks: no exercise in chapters $chapters" >&2; exit 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
n=${#times[@]}
median=$(printf '%s\n' "${times[@]}" | median) worst=$(printf '%s\n' "${times[@]}" | sort -g | tail -1)
median_cpu=$(printf '%s\n' "${cpus[@]}" | median) worst_cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | tail -1)
printf '%s\n' "${times[@]}" >"$out/times.txt"
echo
echo "edit to verdict over $n exercises: median ${median} s, worst ${worst} s; first check ${first} s"
echo "processor time: median ${median_cpu} s, worst ${worst_cpu} s; first check ${first_cpu} s"
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg); verdicts in $out/verdicts"
