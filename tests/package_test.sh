#!/usr/bin/env bash
# The library as a CMake package: installed from a build of the course, found by a program
# outside the tree (docs/example) through find_package(backprop_course), which is compiled
# for this processor (-march=native) although the library was not, and once without it: the
# package must carry the library's Eigen alignment, or matrices passed between the two
# corrupt the heap (a library built for SSE frees with free() what a program built for AVX
# allocated with Eigen's own aligned allocator, and the reverse).
#
#   package_test.sh BUILD_DIR   (a configured and built course build, such as build/reference)
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install failed"; }
[ -f "$work/prefix/include/bp/layers/mlp.hpp" ] && [ -f "$work/prefix/include/bp/bp.hpp" ] || fail "the headers were not installed"
ls "$work/prefix"/lib*/libbackprop.* >/dev/null 2>&1 || fail "the library was not installed"
config=$(ls "$work/prefix"/lib*/cmake/backprop_course/backprop_course_targets.cmake)
grep -q "EIGEN_MAX_ALIGN_BYTES=64" "$config" || fail "the package does not carry the library's Eigen alignment"

for flags in "-march=native" "-march=x86-64-v3" ""; do
  [ -n "$flags" ] && ! echo 'int main() {}' | g++ $flags -x c++ - -o /dev/null 2>/dev/null && continue
  rm -rf "$work/example"
  cmake -S "$root/docs/example" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="$flags" >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log"; fail "find_package(backprop_course) failed"; }
  cmake --build "$work/example" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "the example did not build with '$flags'"; }
  # An AVX2 build runs only where the processor has it.
  if [ "$flags" = "-march=x86-64-v3" ] && ! grep -q avx2 /proc/cpuinfo; then continue; fi
  "$work/example/xor" >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "the example, compiled with '$flags' against the library, failed"; }
done
# A program that does not plot needs neither Boost nor GoogleTest: the package asks for Boost
# only with COMPONENTS plot.
rm -rf "$work/example"
cmake -S "$root/docs/example" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "find_package(backprop_course) needs Boost or GoogleTest although the program does not plot"; }
# And one that plots gets backprop_course::plot.
mkdir -p "$work/plots"
printf '%s\n' 'cmake_minimum_required(VERSION 3.20)' 'project(plots LANGUAGES CXX)' \
  'find_package(backprop_course 1.0 REQUIRED COMPONENTS plot)' \
  'if(NOT TARGET backprop_course::plot)' '  message(FATAL_ERROR "COMPONENTS plot gave no backprop_course::plot")' 'endif()' \
  >"$work/plots/CMakeLists.txt"
cmake -S "$work/plots" -B "$work/plots/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "find_package(backprop_course COMPONENTS plot) failed"; }
echo "package_test: ok (the example found the installed library and ran, built with -march=native, -march=x86-64-v3 and no flags)"
