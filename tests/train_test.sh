#!/usr/bin/env bash
# Chapter 5's trainer loses no model: a run whose loss stays far above an untrained model's
# stops with exit code 3 and leaves the earlier model as it was; a run that succeeds keeps an
# earlier run's model as a numbered backup; a destination that cannot take a model is refused
# before any training.
#   tests/train_test.sh PATH/TO/ch05-train
set -euo pipefail
program=$1
[ -x "$program" ] || { echo "train_test: skipped: $program is not built in this build"; exit 77; }
[ -d /usr/share/datasets/fashion-mnist ] || { echo "train_test: skipped: Fashion-MNIST is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "train_test: $*" >&2; exit 1; }

"$program" --epochs 1 --model m.bin > first.out || fail "one epoch did not train: $(cat first.out)"
cp m.bin good.bin

# --lr 10: the loss explodes but stays finite for a while; it is named, and m.bin stays.
status=0
"$program" --epochs 1 --lr 10 --model m.bin > diverged.out 2> diverged.err || status=$?
[ "$status" -eq 3 ] || fail "--lr 10 exited with $status, not 3: $(cat diverged.err)"
grep -q "training diverged at step .*: the mean loss of steps .* above .* = 3 ln 10" diverged.err ||
    fail "--lr 10 does not say why it stopped: $(cat diverged.err)"
grep -q "m.bin is left as it was" diverged.err || fail "--lr 10 does not say the earlier model is kept: $(cat diverged.err)"
grep -q "m.bin holds a network of 3 layers, from an earlier run" diverged.out || fail "the earlier model is not described: $(cat diverged.out)"
cmp -s m.bin good.bin || fail "a run that diverged changed m.bin"
[ ! -e m.bin.~1~ ] || fail "a run that saved nothing made a backup"

# A second good run keeps the first run's model as m.bin.~1~.
"$program" --epochs 1 --seed 2 --model m.bin > second.out || fail "the second run did not train: $(cat second.out)"
cmp -s m.bin.~1~ good.bin || fail "the first run's model is not kept as m.bin.~1~"
grep -q "the earlier m.bin is kept as m.bin.~1~" second.out || fail "the backup is not announced: $(cat second.out)"

# A destination that cannot take a model is named before the data is even read.
for bad in "" "missing/m.bin" "."; do
    status=0
    "$program" --epochs 1 --model "$bad" > /dev/null 2> bad.err || status=$?
    [ "$status" -ne 0 ] || fail "--model '$bad' was accepted"
    grep -q -- "--model" bad.err || fail "--model '$bad' is not named: $(cat bad.err)"
    ! grep -q "epoch 1/1" bad.err || fail "--model '$bad' was found only after training"
done
echo "train_test: passed"
