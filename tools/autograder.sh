#!/usr/bin/env bash
# The Gradescope autograder bundle: a zip of tools/gradescope/setup.sh and run_autograder, at
# its top, and this repository's last commit in course/ (solutions/ included: the grader runs
# and times the reference solutions' tests; no build/, no .git). Gradescope unpacks it in
# /autograder/source, runs setup.sh once, then run_autograder for each submission.
#
#   tools/autograder.sh OUT.zip    (./course autograder OUT.zip; OUT relative to the current folder)
set -euo pipefail
die() { printf 'course: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
[ $# -eq 1 ] && [[ $1 == *.zip ]] || { printf 'course: usage: ./course autograder OUT.zip\n' >&2; exit 2; }
out=$(realpath -m "$1")
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
cd "$root"
[ ! -e "$out" ] || die "$1 already exists; give a new file (nothing is overwritten)"
[ -d solutions ] || die "the autograder needs solutions/ (the grader times the reference): make it from the full repository"
command -v zip >/dev/null || die "zip is missing: ./course deps zip"

# The bundle is made from the last commit: say what it leaves out.
uncommitted=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
if [ -n "$uncommitted" ]; then
  say "course: warning: the autograder is made from the last commit (HEAD); these uncommitted changes are NOT in it:" >&2
  printf '%s\n' "$uncommitted" | sed 's/^/    /' | head -40 >&2
  say "  (commit them and run this again to include them)" >&2
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/course"
git archive HEAD | tar -x -C "$stage/course"
cp "$stage/course/tools/gradescope/setup.sh" "$stage/course/tools/gradescope/run_autograder" "$stage/"
mkdir -p "$(dirname "$out")"
(cd "$stage" && zip -q -r -X "$out" setup.sh run_autograder course)
say "course: the Gradescope autograder is $out (setup.sh, run_autograder, the repository in course/);
  upload it as the assignment's autograder (an Ubuntu base image). Students submit the student
  edition folder, a zip of it, its exercises/ folder's contents or the exercise files themselves."
