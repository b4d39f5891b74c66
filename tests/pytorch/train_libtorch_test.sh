#!/usr/bin/env bash
# ch05-train's LibTorch engine on Fashion-MNIST, one epoch (the crosscheck preset builds it):
# --engine libtorch trains and prints the test accuracy and the time per epoch; --compare prints
# the three engines' table and moves the course's trained model into LibTorch with the same
# prediction for every test image in float64.
#   tests/pytorch/train_libtorch_test.sh PATH/TO/ch05-train
set -euo pipefail
program=$1
[ -d /usr/share/datasets/fashion-mnist ] || { echo "train_libtorch_test: skipped: Fashion-MNIST is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "train_libtorch_test: $*" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1

"$program" --engine libtorch --epochs 1 --model m.bin > libtorch.out || fail "--engine libtorch did not train: $(cat libtorch.out)"
grep -q "^training with LibTorch" libtorch.out || fail "--engine libtorch did not say it trains with LibTorch: $(cat libtorch.out)"
grep -Eq "^test accuracy after 1 epoch: (8[0-9]|9[0-9])\.?[0-9]* %, [0-9.]+ s of training per epoch" libtorch.out ||
    fail "--engine libtorch did not reach 80 % or did not print its accuracy and time: $(cat libtorch.out)"
[ -s m.bin ] || fail "--engine libtorch saved no model"

"$program" --compare --epochs 1 --model m.bin > compare.out || fail "--compare failed: $(cat compare.out)"
for engine in "fast (bp::FastMlp" "course (the chapters' code)" "libtorch (LibTorch"; do
    grep -Eq "^\| $(printf '%s' "$engine" | sed 's/[()]/\\&/g')[^|]*\| float(32|64) \| [0-9.]+ % \| [0-9.]+ \|$" compare.out ||
        fail "--compare's table has no row for $engine: $(cat compare.out)"
done
grep -A1 "^the course's model, moved into LibTorch:" compare.out | grep -q "differs on 0 of the 10000 test images in float64" ||
    fail "the course's model predicts otherwise in LibTorch: $(grep -A1 moved compare.out)"
grep -A1 "^LibTorch's model, moved into the course's file" compare.out | grep -Eq "differs from LibTorch's own .* on [0-9]+ of the 10000" ||
    fail "no move back: $(cat compare.out)"
for engine in fast course libtorch; do [ -s "m-$engine.bin" ] || fail "--compare did not save m-$engine.bin"; done
echo "train_libtorch_test: passed"
