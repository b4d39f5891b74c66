#!/usr/bin/env bash
# tools/check_site.py finds what it claims to: a small site with one of each problem (a link to
# a missing file, to a missing anchor, a tree view link to a missing anchor, a figure without
# alt text, an image that does not decode, a script error, a TeX error, a formula MathJax never
# saw, a stylesheet that fails to load) is named problem by problem, and a clean site passes
# with a screenshot of its chapter page. Without chromium only the checks that need no browser
# run, and the test is skipped (77) after them.
#   tests/check_site_test.sh tools/check_site.py [MATHJAX_DIR]
set -euo pipefail
checker=$1
mathjax=${2:-/usr/share/javascript/mathjax}
command -v python3 >/dev/null || { echo "check_site_test: skipped: python3 is not installed"; exit 77; }
[ -f "$mathjax/MathJax.js" ] || { echo "check_site_test: skipped: no MathJax 2 in $mathjax (apt-get install libjs-mathjax)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() { echo "check_site_test: $*" >&2; failures=$((failures + 1)); }

# page FILE TITLE BODY: a page as Doxygen writes one (MathJax 2 from the site's mathjax/, the
# contents closed by <!-- PageDoc -->).
page() {
  cat > "$1" <<EOF
<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>$2</title>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({ extensions: ["tex2jax.js", "TeX/AMSmath.js", "TeX/AMSsymbols.js"], jax: ["input/TeX","output/HTML-CSS"] });
</script>
<script type="text/javascript" async="async" src="mathjax/MathJax.js"></script>
</head><body>
<div id="doc-content"><div class="contents"><div class="textblock">
$3
</div></div><!-- PageDoc -->
<img class="footer" src="logo.png" alt="logo"/>
</div></body></html>
EOF
}
# A 1 x 1 PNG, and an SVG.
png() { printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82' > "$1"; }
svg() { printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="100" height="100"><rect width="10" height="10"/></svg>\n' > "$1"; }

good=$dir/good/html
mkdir -p "$good"
ln -s "$mathjax" "$good/mathjax"
png "$good/logo.png"
svg "$good/figure.svg"
page "$good/index.html" "A clean page" '<p id="top-para">A formula \(z = W a + b\) and a display \[ \sum_i x_i^2 \]; <a href="#top-para">here</a>.</p>
<div class="image"><object type="image/svg+xml" data="figure.svg" role="img" aria-label="A black square."></object>
<div class="caption">
A black square.</div></div>'
echo 'var NAVTREE = [ [ "Main", "index.html", [ [ "Top", "index.html#top-para", null ] ] ] ];' > "$good/navtreedata.js"

bad=$dir/bad/html
mkdir -p "$bad"
ln -s "$mathjax" "$bad/mathjax"
png "$bad/logo.png"
svg "$bad/figure.svg"
printf 'not an image' > "$bad/broken.png"
page "$bad/index.html" "A page with every problem" '<link href="missing.css" rel="stylesheet" type="text/css"/>
<p>A link to <a href="nowhere.html">a missing page</a> and to <a href="index.html#no-such-anchor">a missing anchor</a>.</p>
<div class="image"><object type="image/svg+xml" data="figure.svg" style="pointer-events: none;"></object>
<div class="caption">
A figure with no alt text.</div></div>
<p><img src="broken.png" alt="An image that does not decode."/></p>
<p>A TeX error: \(\frac{1}{2\)</p>
<p>A formula MathJax never sees: \( x + 1 </p>
<script>this_function_does_not_exist();</script>'
echo 'var NAVTREE = [ [ "Main", "index.html", [ [ "Gone", "index.html#gone-anchor", null ] ] ] ];' > "$bad/navtreedata.js"

# expect OUTPUT_FILE TEXT: the checker's output names TEXT.
expect() { grep -qF -- "$2" "$1" || fail "the output does not name: $2"; }

status=0
python3 "$checker" --no-browser "$good" > "$dir/good-static.txt" 2>&1 || status=$?
[ "$status" -eq 0 ] || { fail "the clean site fails the checks without a browser (exit $status):"; cat "$dir/good-static.txt" >&2; }
status=0
python3 "$checker" --no-browser "$bad" > "$dir/bad-static.txt" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "the broken site exits $status without a browser, not 1"
expect "$dir/bad-static.txt" 'a link to a missing file: "nowhere.html" (<a href>)'
expect "$dir/bad-static.txt" 'a link to a missing file: "missing.css" (<link href>)'
expect "$dir/bad-static.txt" 'a link to a missing anchor: "index.html#no-such-anchor" (<a href>): index.html has no id or name "no-such-anchor"'
expect "$dir/bad-static.txt" "a link to a missing anchor: \"index.html#gone-anchor\" (the tree view's link)"
expect "$dir/bad-static.txt" 'a figure without alt text: figure.svg ("A figure with no alt text.")'
expect "$dir/bad-static.txt" 'at bad/index.html:'

if ! command -v chromium >/dev/null; then
  [ $failures -eq 0 ] || exit 1
  echo "check_site_test: the checks without a browser pass; the browser's skipped: chromium is not installed"
  exit 77
fi
status=0
python3 "$checker" --screenshots "$dir/shots" "$good" > "$dir/good.txt" 2>&1 || status=$?
[ "$status" -eq 0 ] || { fail "the clean site fails in the browser (exit $status):"; cat "$dir/good.txt" >&2; }
expect "$dir/good.txt" '2 of 2 formulas typeset'
expect "$dir/good.txt" '1 figure named in the accessibility tree'
[ -s "$dir/shots/good/index.png" ] || fail "no screenshot of the clean site's chapter page ($dir/shots/good/index.png)"
status=0
python3 "$checker" --screenshots "$dir/shots" "$bad" > "$dir/bad.txt" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "the broken site exits $status in the browser, not 1"
expect "$dir/bad.txt" 'a script error: ReferenceError: this_function_does_not_exist is not defined'
expect "$dir/bad.txt" 'MathJax: TeX Jax - parse error'
expect "$dir/bad.txt" 'a MathJax error box'
expect "$dir/bad.txt" 'TeX left untypeset in the text: "...A formula MathJax never sees: \( x + 1'
expect "$dir/bad.txt" 'an image that did not decode: broken.png'
expect "$dir/bad.txt" 'an image file that does not decode'
expect "$dir/bad.txt" 'a file that failed to load: file://'
expect "$dir/bad.txt" 'a figure a screen reader finds no name for: figure.svg'
if [ $failures -gt 0 ]; then
  echo "--- the checker's output on the broken site:" >&2
  cat "$dir/bad.txt" >&2
  exit 1
fi
echo "check_site_test: every planted problem is named, and the clean site passes"
