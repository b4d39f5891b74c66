#!/usr/bin/env bash
# A compiler launcher (CMAKE_CXX_COMPILER_LAUNCHER) for the builds of exercises/: it saves the
# compiler's diagnostics of each exercise file as JSON (GCC's -fdiagnostics-format=json), where
# ./course check reads the warnings in the student's lines and, when the build fails, the errors
# (course_student explain-build, tools/student.cpp). A compile that fails keeps its JSON and is
# run again without the flag, so that the build log shows its errors as text too.
#
#   diagnostics_launcher.sh EDITION_DIR DIAGNOSTICS_DIR COMPILER ARGUMENTS...
#   (EDITION_DIR/ch01/linear.cpp's diagnostics go to DIAGNOSTICS_DIR/ch01/linear.cpp.json)
edition=$1 out=$2
shift 2
source="" previous=""
for argument in "$@"; do
  [ "$previous" = -c ] && source=$argument
  previous=$argument
done
case "$source" in
  "$edition"/*) ;;
  *) exec "$@" ;;
esac
json=$out/${source#"$edition"/}.json
mkdir -p "$(dirname "$json")"
if "$@" -fdiagnostics-format=json 2>"$json.new"; then
  mv "$json.new" "$json"
  exit 0
fi
mv "$json.new" "$json"
exec "$@"
