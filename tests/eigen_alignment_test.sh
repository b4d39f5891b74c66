#!/usr/bin/env bash
# A program whose Eigen alignment differs from the library's (EIGEN_MAX_ALIGN_BYTES=64 and
# EIGEN_MAX_STATIC_ALIGN_BYTES=64, lib/CMakeLists.txt) must not link, and the linker must name
# the setting (bp/core/matrix.hpp refers to a symbol named after the program's values). Compiles a
# tiny program against the built library: with the library's values (it links and runs), with
# other values, and with none at all (Eigen then picks its own from -march).
#
#   eigen_alignment_test.sh LIBRARY INCLUDE_DIR EIGEN_INCLUDE_DIR CXX [FLAGS...]
# LIBRARY is libbackprop.a or .so; FLAGS are what the library's build needs of a program that
# links it (a sanitizer build's -fsanitize=...).
set -euo pipefail
library=$(realpath "$1")
include=$(realpath "$2")
eigen=$3
cxx=$4
shift 4
flags=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "eigen_alignment_test: $*" >&2; exit 1; }

cat >"$work/program.cpp" <<'EOF'
#include "bp/core/matrix.hpp"
int main() { return bp::shape(bp::Matrix(2, 3)) == "2x3" ? 0 : 1; }
EOF
# The static library's data reader needs zlib; a shared one finds itself through the rpath.
link=("$library" -lz -Wl,-rpath,"$(dirname "$library")")

build() {  # build NAME FLAGS...: compiles and links program.cpp; the linker's words in NAME.log
    local name=$1
    shift
    "$cxx" -std=c++17 -O0 -I"$include" -isystem "$eigen" ${flags[@]+"${flags[@]}"} "$@" "$work/program.cpp" "${link[@]}" \
        -o "$work/$name" >"$work/$name.log" 2>&1
}

# The library's own values: links and runs (so that a failure below is the check's doing).
build same -DEIGEN_MAX_ALIGN_BYTES=64 -DEIGEN_MAX_STATIC_ALIGN_BYTES=64 ||
    { cat "$work/same.log"; fail "a program with the library's alignment did not build"; }
"$work/same" || fail "a program with the library's alignment did not run"

refused() {  # refused NAME WORDS FLAGS...: must fail to link, naming the setting in WORDS
    local name=$1 words=$2
    shift 2
    if build "$name" "$@"; then fail "a program built with '$*' linked against the library"; fi
    grep -q "$words" "$work/$name.log" || { cat "$work/$name.log"; fail "'$*': the link error does not say $words"; }
}
# Other values.
refused different16 "EIGEN_MAX_ALIGN_BYTES_16_and_EIGEN_MAX_STATIC_ALIGN_BYTES_16" \
    -DEIGEN_MAX_ALIGN_BYTES=16 -DEIGEN_MAX_STATIC_ALIGN_BYTES=16
refused different32 "EIGEN_MAX_ALIGN_BYTES_32_and_EIGEN_MAX_STATIC_ALIGN_BYTES_32" \
    -DEIGEN_MAX_ALIGN_BYTES=32 -DEIGEN_MAX_STATIC_ALIGN_BYTES=32
# None given: Eigen aligns to 16 for plain x86-64, 32 for AVX2 (only compiled, never run).
refused missing "EIGEN_MAX_ALIGN_BYTES_16_and_EIGEN_MAX_STATIC_ALIGN_BYTES_16" -march=x86-64
refused missing_avx2 "EIGEN_MAX_ALIGN_BYTES_32_and_EIGEN_MAX_STATIC_ALIGN_BYTES_32" -march=x86-64-v3
# One of the two given: the other is Eigen's own choice, and said.
refused static_missing "EIGEN_MAX_ALIGN_BYTES_64_and_EIGEN_MAX_STATIC_ALIGN_BYTES_16" -march=x86-64 -DEIGEN_MAX_ALIGN_BYTES=64
echo "eigen_alignment_test: ok (the library's alignment links; 16, 32, none given and one of the two given are refused by name)"
