#!/usr/bin/env bash
# The student edition: every committed file but solutions/, with a README for students and
# the student site, built here (figures made by the reference build), in site/. Its tests
# compare with the stored reference results, so ./course check works there unchanged.
#
#   tools/edition.sh DIR    (./course edition DIR; DIR relative to the current folder)
#
# BP_EDITION_WITHOUT_SITE=1 leaves the site out (the course tool's own test: no build there).
set -euo pipefail
die() { printf 'course: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
[ $# -eq 1 ] || { printf 'course: usage: ./course edition DIR\n' >&2; exit 2; }
dir=$(realpath -m "$1")
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
cd "$root"
[ ! -e "$dir" ] || die "$1 already exists; give a new folder (nothing is overwritten)"
[ -d solutions ] || die "this is already a student edition"
# Inside the repository, the edition's sources would be built with the course's own.
[[ $dir/ == "$root"/* ]] && die "$1 is inside this repository; make the edition outside it (for example ../edition)"

# The edition is made from the last commit: say what it leaves out.
uncommitted=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
if [ -n "$uncommitted" ]; then
  say "course: warning: the edition is made from the last commit (HEAD); these uncommitted changes are NOT in it:" >&2
  printf '%s\n' "$uncommitted" | sed 's/^/    /' | head -40 >&2
  say "  (commit them and run this again to include them)" >&2
fi
mkdir -p "$dir"
git archive HEAD | tar -x -C "$dir"
rm -rf "$dir/solutions"
# README.md for students: the parts between "<!-- full repository -->" and "<!-- end -->"
# left out, the parts inside "<!-- student edition:" ... "-->" put in.
awk '
  /^<!-- full repository -->$/ { skip = 1; next }
  /^<!-- end -->$/ { skip = 0; next }
  /^<!-- student edition:$/ { inside = 1; next }
  inside && /^-->$/ { inside = 0; next }
  !skip { print }
' README.md >"$dir/README.md"
if [ "${BP_EDITION_WITHOUT_SITE:-}" = 1 ]; then
  say "course: the student edition is in $dir (no solutions/, no site); run ./course check there"
  exit 0
fi
say "course: building the student site for the edition (the reference build runs the demos and experiments)..."
./course docs >/dev/null
cp -r build/reference/docs/student/html "$dir/site"
say "course: the student edition is in $dir (no solutions/; the site in site/index.html); run ./course check there"
