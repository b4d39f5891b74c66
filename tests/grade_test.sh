#!/usr/bin/env bash
# ./course grade on three prepared submissions, each a student edition folder: some exercises
# done, one done but broken, one that does not compile. Checks the scores, that results.json
# has what Gradescope reads (and junit.xml is XML), that the rest of a file that does not
# compile is still graded, and that no submission is modified.
#
#   grade_test.sh PATH/TO/course   (a repository with solutions/; CI runs it after ./course test)
set -euo pipefail
course=$(realpath "$1")
root=$(dirname "$course")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "grade_test: $*" >&2; exit 1; }
cd "$root"

points() {  # the points of exercise $1, from tests/points.txt
  awk -v id="$1" '{ sub(/#.*/, "") } $1 == "default" { d = $2 } ($1 "") == (id "") { p = $2 } END { print (p != "" ? p : d) }' tests/points.txt
}
submission() {  # submission NAME: a student edition folder with the untouched stubs
  mkdir -p "$work/$1"
  cp -r exercises "$work/$1/"
}
fingerprint() { (cd "$1" && find . -type f -printf '%p %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }

# 1. Some exercises done: 1.1 and chapter 2 (whose 2.5 and 2.7 call 1.2 and 1.10, not done).
submission some
cp solutions/ch01/linear.cpp "$work/some/exercises/ch01/"
cp solutions/ch02/loss.cpp "$work/some/exercises/ch02/"
# 2. All of chapter 1, but ReLU (1.6) is wrong: it lets negative z through.
submission broken
cp solutions/ch01/*.cpp "$work/broken/exercises/ch01/"
sed -i 's/    return z.cwiseMax(0.0);/    return z;  \/\/ wrong: negative z should give 0/' "$work/broken/exercises/ch01/activations.cpp"
grep -q "wrong: negative z" "$work/broken/exercises/ch01/activations.cpp" || fail "could not break exercise 1.6"
# 3. All of chapter 1, but 1.4 does not compile (tanh is an array method).
submission nocompile
cp solutions/ch01/*.cpp "$work/nocompile/exercises/ch01/"
sed -i 's/    return z.array().tanh().matrix();/    return z.tanh();/' "$work/nocompile/exercises/ch01/activations.cpp"
grep -q "return z.tanh();" "$work/nocompile/exercises/ch01/activations.cpp" || fail "could not break exercise 1.4"

validate() {  # validate DIR: results.json as Gradescope reads it, junit.xml as XML
  /usr/bin/python3 - "$1" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
def number(x): return isinstance(x, (int, float)) and not isinstance(x, bool)
assert number(r["score"]) and number(r["max_score"]), "score and max_score must be numbers"
assert r.get("visibility", "visible") in ("hidden", "after_due_date", "after_published", "visible")
assert r.get("stdout_visibility", "hidden") in ("hidden", "after_due_date", "after_published", "visible")
assert isinstance(r.get("output", ""), str)
assert isinstance(r["tests"], list) and r["tests"], "tests must be a non-empty list"
total = 0
for t in r["tests"]:
    assert isinstance(t["name"], str) and t["name"], t
    assert number(t["score"]) and number(t["max_score"]) and 0 <= t["score"] <= t["max_score"], t
    assert t.get("status") in (None, "passed", "failed"), t
    assert isinstance(t.get("output", ""), str) and isinstance(t.get("number", ""), str), t
    assert t.get("visibility", "visible") in ("hidden", "after_due_date", "after_published", "visible"), t
    total += t["score"]
assert abs(total - r["score"]) < 0.05, (total, r["score"])
root = ET.parse(d + "/junit.xml").getroot()
assert root.tag == "testsuites" and len(root) > 0
PY
}
score_of() {  # score_of DIR ID: that exercise's score in DIR/results.json
  /usr/bin/python3 -c "import json,sys; print([t['score'] for t in json.load(open(sys.argv[1]))['tests'] if t['number'] == sys.argv[2]][0])" "$1/results.json" "$2"
}
status_of() {
  /usr/bin/python3 -c "import json,sys; print([t['status'] for t in json.load(open(sys.argv[1]))['tests'] if t['number'] == sys.argv[2]][0])" "$1/results.json" "$2"
}
same() { awk -v a="$1" -v b="$2" 'BEGIN { exit !((a - b) ^ 2 < 1e-6) }'; }

for name in some broken nocompile; do
  fingerprint "$work/$name" >"$work/$name.before"
  "$course" grade "$work/$name" --out "$work/out-$name" >"$work/$name.log" 2>&1 || { cat "$work/$name.log"; fail "grade failed on '$name'"; }
  fingerprint "$work/$name" >"$work/$name.after"
  cmp -s "$work/$name.before" "$work/$name.after" || fail "grading modified the submission '$name'"
  validate "$work/out-$name" || fail "the results of '$name' are not what Gradescope reads"
done

# Some done: exactly 1.1, 2.1-2.4 and 2.6 score, in full; 2.5 and 2.7 wait for chapter 1.
expected=0
for id in 1.1 2.1 2.2 2.3 2.4 2.6; do
  same "$(score_of "$work/out-some" "$id")" "$(points "$id")" || fail "'some': exercise $id scored $(score_of "$work/out-some" "$id"), not $(points "$id")"
  expected=$(awk -v a="$expected" -v b="$(points "$id")" 'BEGIN { print a + b }')
done
got=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['score'])" "$work/out-some/results.json")
same "$got" "$expected" || fail "'some' scored $got, not $expected"
same "$(score_of "$work/out-some" 3.1)" 0 || fail "'some': exercise 3.1, not done, scored"
same "$(score_of "$work/out-some" 2.5)" 0 || fail "'some': exercise 2.5, which calls 1.2 (not done), scored"
grep -q "it calls exercise 1.2, which is not done" "$work/out-some/results.json" || fail "'some': 2.5's output does not say it waits for 1.2"

# Broken: 1.6 fails (with some points at most in proportion), the rest of chapter 1 is full.
[ "$(status_of "$work/out-broken" 1.6)" = failed ] || fail "'broken': exercise 1.6 did not fail"
awk -v s="$(score_of "$work/out-broken" 1.6)" -v p="$(points 1.6)" 'BEGIN { exit !(s < p) }' || fail "'broken': 1.6 got full points"
for id in 1.1 1.2 1.5 1.7 1.12; do
  same "$(score_of "$work/out-broken" "$id")" "$(points "$id")" || fail "'broken': exercise $id scored $(score_of "$work/out-broken" "$id")"
done

# Does not compile: 1.4 scores 0 and says so; the other exercises of the same file are graded.
same "$(score_of "$work/out-nocompile" 1.4)" 0 || fail "'nocompile': exercise 1.4 scored"
grep -q "Did not compile" "$work/out-nocompile/results.json" || fail "'nocompile': results.json does not say 1.4 did not compile"
for id in 1.2 1.3 1.5 1.7 1.10; do
  same "$(score_of "$work/out-nocompile" "$id")" "$(points "$id")" || fail "'nocompile': exercise $id (same file or not) scored $(score_of "$work/out-nocompile" "$id")"
done
echo "grade_test: ok (some done: $got of $(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['max_score'])" "$work/out-some/results.json"); broken 1.6: $(score_of "$work/out-broken" 1.6); 1.4 not compiling: 0, the rest of its file graded)"
