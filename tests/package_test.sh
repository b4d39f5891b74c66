#!/usr/bin/env bash
# The library as a CMake package: installed from a build of the course, found by a program
# outside the tree (docs/example) through find_package(backprop_course), which is compiled
# for this processor (-march=native) although the library was not: the package must carry
# the library's Eigen alignment, or matrices passed between the two corrupt the heap.
#
#   package_test.sh BUILD_DIR   (a configured and built course build, such as build/reference)
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install failed"; }
[ -f "$work/prefix/include/bp/mlp.hpp" ] || fail "the headers were not installed"
ls "$work/prefix"/lib*/libbackprop.* >/dev/null 2>&1 || fail "the library was not installed"
config=$(ls "$work/prefix"/lib*/cmake/backprop_course/backprop_course_targets.cmake)
grep -q "EIGEN_MAX_ALIGN_BYTES=" "$config" || fail "the package does not carry the library's Eigen alignment"

cmake -S "$root/docs/example" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-march=native" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "find_package(backprop_course) failed"; }
cmake --build "$work/example" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "the example did not build"; }
"$work/example/xor" || fail "the example, compiled with -march=native against the library, failed"
echo "package_test: ok (library aligned to $(grep -oE 'EIGEN_MAX_ALIGN_BYTES=[0-9]+' "$config" | head -1 | cut -d= -f2) bytes; the example built with -march=native ran)"
