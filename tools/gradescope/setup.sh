#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder is built (the bundle of
# ./course autograder unpacked in /autograder/source): it installs the Debian/Ubuntu packages
# grading needs (./course deps --no-clang, the course's one list) and makes what grading needs, once:
# the grade build and the reference solutions' tests, run and timed. It does so by grading the
# reference solutions themselves, which must score full marks, so a broken bundle fails here
# and not on a student. Each student's run_autograder then compiles only their files.
#
#   AUTOGRADER_ROOT   the autograder's folder (default /autograder: source/, submission/, results/)
#   setup.sh [GRADE OPTION...]   (options for ./course grade, such as --jobs 1)
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
course=$root/source/course/course
[ -x "$course" ] || { echo "setup.sh: no course repository at $root/source/course" >&2; exit 1; }
"$course" deps --no-clang python3  # grading compiles with g++: clang 22 is for the sanitizers
# The tests run with an empty /tmp, /var/tmp and /dev/shm of their own: the test program must be elsewhere.
case "$(realpath "$root")/" in
  /tmp/* | /var/tmp/* | /dev/shm/*) echo "setup.sh: $root is under /tmp, /var/tmp or /dev/shm, which the tests do not see; put it elsewhere" >&2; exit 1 ;;
esac
# The tests run as user nobody (the grader runs as root), who must reach the test program.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && ! runuser -u nobody -- test -x "$course"; then
  echo "setup.sh: user nobody, who runs the tests, cannot reach $course: open the folders on the way (chmod o+rx)" >&2
  exit 1
fi
warm=$(mktemp -d)
trap 'rm -rf "$warm"' EXIT
mkdir -p "$warm/reference"
cp -r "$root/source/course/solutions" "$warm/reference/exercises"
"$course" grade "$warm/reference" --out "$warm/results" "$@"
python3 - "$warm/results/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if abs(r["score"] - r["max_score"]) > 1e-6:
    sys.exit("setup.sh: the reference solutions scored %s of %s, not full marks" % (r["score"], r["max_score"]))
print("setup.sh: the reference solutions score %s of %s; ready to grade" % (r["score"], r["max_score"]))
PY
