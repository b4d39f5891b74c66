#!/usr/bin/env bash
# Times the student's loop as a student meets it, on a fresh copy of the repository:
#
#   1. the first `./course check` (configure, build, run everything; packages already installed);
#   2. for every exercise of chapters 1-5: edit its file (a comment line added at the end),
#      then `./course check N.M`, timed from the save to the printed verdict. The file is then
#      restored and rebuilt, untimed, so that each measurement sees one edited file.
#
# Prints each time, the median and the worst, with the load average beside them (the machine
# is shared: a timing means little without it), and keeps every verdict in OUT/verdicts/ so
# that two versions of the course can be compared (diff -r).
#
#   tools/time_checks.sh [--repo DIR] [--out DIR] [--chapters "1 2 3 4 5"] [--only "1.1 3.2"]
#
# --repo: the repository to copy (default: this one; its working tree, committed or not, as a
# clone of it would hold it). --out: where the copy, the figures and the verdicts go (default:
# a new folder under /tmp, kept). The copy is built with -j2 like any student build.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
out="" chapters="1 2 3 4 5" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --chapters) chapters=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
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
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

cd "$copy"
echo "time_checks: course copied to $copy; load average $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(now); l0=$(load)
./course check >"$out/verdicts/first-check.txt" 2>&1 || { cat "$out/verdicts/first-check.txt"; echo "time_checks: the first check failed" >&2; exit 1; }
first=$(elapsed "$start" "$(now)")
echo "first ./course check: ${first} s (load average $l0 before, $(load) after)"

# Every exercise of the chosen chapters, with its file, from the list the build made.
manifest=build/student/exercises.tsv
[ -f "$manifest" ] || { echo "time_checks: no $manifest after the first check" >&2; exit 1; }
times=()
printf '%-6s %-34s %8s  %s\n' exercise file seconds "load average"
while IFS=$'\t' read -r id chapter _ file _; do
  case " $chapters " in *" $chapter "*) ;; *) continue ;; esac
  if [ -n "$only" ]; then case " $only " in *" $id "*) ;; *) continue ;; esac; fi
  cp "$file" "$out/saved.cpp"
  l0=$(load)
  printf '\n// edited by time_checks.sh\n' >>"$file"
  start=$(now)
  status=0
  ./course check "$id" >"$out/verdicts/$id.txt" 2>&1 || status=$?
  t=$(elapsed "$start" "$(now)")
  [ $status -eq 0 ] || { cat "$out/verdicts/$id.txt"; echo "time_checks: ./course check $id exited $status" >&2; exit 1; }
  times+=("$t")
  printf '%-6s %-34s %8s  %s\n' "$id" "$file" "$t" "$l0"
  cp "$out/saved.cpp" "$file"
  ./course check "$id" >/dev/null 2>&1  # rebuild the restored file, untimed
done <"$manifest"

[ ${#times[@]} -gt 0 ] || { echo "time_checks: no exercise in chapters $chapters" >&2; exit 1; }
printf '%s\n' "${times[@]}" | sort -g >"$out/times.txt"
n=${#times[@]}
median=$(awk -v n="$n" '{ v[NR] = $1 } END { if (n % 2) print v[(n + 1) / 2]; else printf "%.1f\n", (v[n / 2] + v[n / 2 + 1]) / 2 }' "$out/times.txt")
worst=$(tail -1 "$out/times.txt")
echo
echo "edit to verdict over $n exercises: median ${median} s, worst ${worst} s; first check ${first} s"
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg); verdicts in $out/verdicts"
