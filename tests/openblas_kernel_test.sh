#!/usr/bin/env bash
# Chapter 5's trainer on a processor whose model OpenBLAS does not know (simulated by
# openblas_masked.cpp, preloaded: OpenBLAS "detects" Prescott): it starts again with the kernel
# of the processor's widest vectors and says so; an OPENBLAS_CORETYPE of the user's is kept.
#   tests/openblas_kernel_test.sh PATH/TO/ch05-train PATH/TO/openblas_masked.so
set -euo pipefail
program=$1 masked=$2
[ -x "$program" ] || { echo "openblas_kernel_test: skipped: $program is not built in this build"; exit 77; }
[ -d /usr/share/datasets/fashion-mnist ] || { echo "openblas_kernel_test: skipped: Fashion-MNIST is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "openblas_kernel_test: $*" >&2; exit 1; }
# A sanitizer build's program accepts a preloaded library that is not its runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { for f in "$@"; do [[ $flags == *" $f "* ]] || return 1; done; }
if has avx2 fma avx512f avx512bw avx512vl avx512dq; then
  expected="kernel SkylakeX (chosen by the course: OpenBLAS detected Prescott on a processor with AVX-512)"
elif has avx2 fma; then
  expected="kernel Haswell (chosen by the course: OpenBLAS detected Prescott on a processor with AVX2)"
else
  expected="kernel Prescott (OpenBLAS's choice for this processor)"
fi

env -u OPENBLAS_CORETYPE LD_PRELOAD="$masked" "$program" --epochs 1 --model m.bin > masked.out 2>&1 ||
  fail "one epoch did not train: $(cat masked.out)"
grep -q "^products: Eigen" masked.out && { echo "openblas_kernel_test: skipped: built without OpenBLAS"; exit 77; }
grep -qF "products: OpenBLAS" masked.out && grep -qF ", $expected" masked.out ||
  fail "expected 'products: OpenBLAS ..., $expected', got: $(grep products: masked.out)"
[ "$(grep -c '^training with' masked.out)" -eq 1 ] || fail "the program said more than once what it trains: $(cat masked.out)"

OPENBLAS_CORETYPE=Prescott LD_PRELOAD="$masked" "$program" --epochs 1 --model m.bin > user.out 2>&1 ||
  fail "one epoch with OPENBLAS_CORETYPE=Prescott did not train: $(cat user.out)"
grep -qF ", kernel Prescott (set by OPENBLAS_CORETYPE" user.out || fail "the user's OPENBLAS_CORETYPE was not kept: $(grep products: user.out)"
echo "openblas_kernel_test: passed ($expected)"
