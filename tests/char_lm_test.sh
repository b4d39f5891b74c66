#!/usr/bin/env bash
# Chapter 7's character model keeps what it learned: trained for 20 steps, or for 10, saved,
# and resumed for 10 more, it is the same model (bit for bit, with Adam's state) and writes the
# same text; --sample-only writes that text from the file alone.
#   tests/char_lm_test.sh PATH/TO/ch07-char-lm
set -euo pipefail
program=$1
# The builds of the test program alone (CI's x86-64-v4 and sanitize presets) skip it.
[ -x "$program" ] || { echo "char_lm_test: skipped: $program is not built in this build"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
words=(the cat sat on a mat and the dog ran to the log while birds sang)
for i in $(seq 1 2500); do printf '%s ' "${words[$((i * 7 % ${#words[@]}))]}"; done > text.txt
small=(--hidden 8 --length 8 --batch 4 --prime "the " --figures . text.txt)
fail() { echo "char_lm_test: $*" >&2; exit 1; }

"$program" --steps 20 --sample 80 --model whole.bin "${small[@]}" > whole.out
"$program" --steps 10 --sample 0 --model parts.bin "${small[@]}" > /dev/null
"$program" --steps 10 --resume --sample 80 --model parts.bin "${small[@]}" > parts.out
grep -q "resuming parts.bin at step 10" parts.out || fail "the resumed run does not say where it resumes: $(cat parts.out)"
cmp -s whole.bin parts.bin || fail "20 steps in one run and 10 + 10 resumed give different models"
cmp -s whole.bin.train parts.bin.train || fail "20 steps in one run and 10 + 10 resumed leave Adam in different states"
[ "$(tail -n 1 whole.out)" = "$(tail -n 1 parts.out)" ] || fail "the resumed model writes other text"
"$program" --sample-only --sample 80 --model parts.bin "${small[@]}" > sampled.out
[ "$(tail -n 1 sampled.out)" = "$(tail -n 1 whole.out)" ] || fail "--sample-only writes other text than the model wrote after training"

# A model file that is not there, or of another text, is refused by name.
if "$program" --sample-only --model missing.bin "${small[@]}" 2> error.txt; then fail "--sample-only without a model succeeded"; fi
grep -q "missing.bin: no such file" error.txt || fail "a missing model is not named: $(cat error.txt)"
printf 'xyz%.0s' $(seq 1 500) > other.txt
if "$program" --sample-only --model parts.bin --prime x --figures . other.txt 2> error.txt; then fail "a model of another text was sampled"; fi
grep -q "give the text it learned from" error.txt || fail "a model of another text is not named: $(cat error.txt)"
# Inputs that cannot work are refused by name before the first step, with no model written.
refused() {  # refused WORDS ARGS...: the program exits non-zero at once, saying WORDS
  local words=$1; shift
  if "$program" "$@" > out.txt 2> error.txt; then fail "accepted: $*"; fi
  grep -qe "$words" error.txt || fail "'$*' did not say '$words': $(cat error.txt)"
  grep -q "training" out.txt && fail "'$*' started training before it refused: $(cat out.txt)"
  return 0
}
refused "the text has no character 'Q'" --steps 5 --prime "Q" --model new.bin --figures . text.txt
mkfifo pipe
refused "not a regular file" --steps 5 --model new.bin pipe
refused "not a regular file" --steps 5 --model new.bin /dev/zero
touch afile
refused "that is a file, not a folder" --steps 5 --prime "the " --figures afile --model new.bin text.txt
refused "does not exist" --steps 5 --prime "the " --model no/such/folder/m.bin --figures . text.txt
refused "give the path of a file" --steps 5 --prime "the " --model "" --figures . text.txt
refused "more than the 4 GB" --steps 5 --prime "the " --hidden 4096 --batch 4096 --length 1000 --model new.bin --figures . text.txt
refused "temperature: 4.9e-324 is out of range" --temperature 4.9e-324 --model new.bin text.txt
[ ! -e new.bin ] || fail "a refused run wrote a model"
echo "char_lm_test: resumed and whole runs agree; --sample-only writes the same text; bad models and inputs refused by name before training"
