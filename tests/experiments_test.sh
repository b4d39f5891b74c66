#!/usr/bin/env bash
# Every experiment of chapters 6 and 7 writes its figures whatever its options: each is run
# here with a small, fast set of options other than its defaults (the page's claims about the
# defaults are tests of the suite, not of the programs), and each PNG it promises must exist.
# Chapter 7's character model, trained for one step, draws a curve of one point.
#   tests/experiments_test.sh PATH/TO/ch06-experiment-gradient-flow ... PATH/TO/ch07-char-lm
set -euo pipefail
for program in "$@"; do
  # The builds of the test program alone (CI's x86-64-v4 and sanitize presets) skip it.
  [ -x "$program" ] || { echo "experiments_test: skipped: $program is not built in this build"; exit 77; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() { echo "experiments_test: $*" >&2; failures=$((failures + 1)); }

# run NAME "OPTIONS" FIGURE...: runs the program whose file name is NAME with OPTIONS into its
# own folder, and checks that it succeeds and writes every FIGURE.png.
run() {
  local name=$1 options=$2 program="" out
  shift 2
  for p in "${programs[@]}"; do [ "$(basename "$p")" = "$name" ] && program=$p; done
  [ -n "$program" ] || { fail "$name was not given to the test"; return; }
  out="$dir/$name"
  mkdir -p "$out"
  # shellcheck disable=SC2086
  if ! (cd "$out" && "$program" "$out" $options > "$out/stdout.txt" 2> "$out/stderr.txt"); then
    fail "$name $options failed: $(cat "$out/stderr.txt")"
    return
  fi
  for figure in "$@"; do
    [ -s "$out/$figure.png" ] || fail "$name $options wrote no $figure.png: $(cat "$out/stdout.txt" "$out/stderr.txt")"
  done
}
programs=()
for p in "$@"; do programs+=("$(realpath "$p")"); done  # the runs change folders

if [ -d /usr/share/datasets/fashion-mnist ]; then
  run ch06-experiment-learning-speed "--depth 3 --width 8 --lr 0.5 --batch 16 --steps 5 --examples 200 --seed 2" \
    learning_speed_sigmoid learning_speed_relu
  run ch06-experiment-exploding "--depth 4 --width 16 --gain 3 --lr 1 --clip-norm 0.5 --clip-value 0.1 --batch 16 --steps 5 --examples 200 --seed 2" \
    exploding_loss exploding_norm
  run ch06-experiment-depth "--width 4 --lr 0.01 --batch 16 --steps 2 --examples 200 --seed 2" depth_accuracy
else
  echo "experiments_test: Fashion-MNIST is not installed (dataset-fashion-mnist): chapter 6's training experiments not run"
fi
run ch06-experiment-gradient-flow "--depth 5 --width 16 --batch 8 --seed 3 --gain 2 --branch-gain 1 --activation tanh --init he" gradient_flow
run ch06-experiment-spread "--depth 4 --width 16 --batch 8 --seed 2 --activation sigmoid --init xavier" spread_forward spread_backward
run ch07-experiment-gradient-norms "--hidden 32 --steps 100 --batch 2 --input-scale 1.0 --seed 3" gradient_norms
run ch07-experiment-long-dependency "--steps 3 --gate-bias 1 --seed 2" long_dependency
run ch07-experiment-clipping "--steps 50 --lr 0.5 --clip 0.5 --seed 2" clipping_loss clipping_norm
run ch07-experiment-truncation "--steps 2 --every 3 --seed 2" truncation

# What the runs print and label, for the options they were given.
grep -q "at distance 10, 50, 100" "$dir/ch07-experiment-gradient-norms/stdout.txt" 2>/dev/null ||
  fail "gradient-norms with --steps 100 does not head its table with distances 10, 50, 100"
grep -q "clipped to norm 0.5" "$dir/ch07-experiment-clipping/clipping_loss.dat" 2>/dev/null ||
  fail "the clipping figure does not label --clip 0.5 as 'clipped to norm 0.5'"

# Chapter 7's character model, one step: its loss curve has one point, and is drawn.
for p in "${programs[@]}"; do [ "$(basename "$p")" = ch07-char-lm ] && char_lm=$p; done
if [ -n "${char_lm:-}" ]; then
  mkdir -p "$dir/char_lm"
  words=(the cat sat on a mat and the dog ran to the log while birds sang)
  for i in $(seq 1 500); do printf '%s ' "${words[$((i * 7 % ${#words[@]}))]}"; done > "$dir/char_lm/text.txt"
  if ! (cd "$dir/char_lm" && "$char_lm" --steps 1 --hidden 8 --length 8 --batch 4 --sample 0 --model model.bin \
          --figures . text.txt > stdout.txt 2> stderr.txt); then
    fail "ch07-char-lm --steps 1 failed: $(cat "$dir/char_lm/stderr.txt")"
  fi
  [ -s "$dir/char_lm/char_lm_loss.png" ] || fail "ch07-char-lm --steps 1 drew no char_lm_loss.png"
else
  fail "ch07-char-lm was not given to the test"
fi

[ "$failures" -eq 0 ] || exit 1
echo "experiments_test: every experiment of chapters 6 and 7 wrote its figures with other options than its defaults"
