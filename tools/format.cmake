# clang-format over the course's C++ (.clang-format at the top): MODE=check fails naming each file
# that differs from its formatted self (the ctest test `format`); MODE=fix rewrites those files
# (the target `format`: cmake --build build/reference --target format). exercises/ is left out:
# exgen makes it from solutions/, and it is the students' to format.
#   cmake -DCLANG_FORMAT=clang-format -DSOURCE_DIR=. -DMODE=check|fix -P tools/format.cmake
file(GLOB_RECURSE sources RELATIVE "${SOURCE_DIR}"
     "${SOURCE_DIR}/lib/*.cpp" "${SOURCE_DIR}/lib/*.hpp" "${SOURCE_DIR}/solutions/*.cpp" "${SOURCE_DIR}/solutions/*.hpp"
     "${SOURCE_DIR}/tests/*.cpp" "${SOURCE_DIR}/tests/*.hpp" "${SOURCE_DIR}/tools/*.cpp" "${SOURCE_DIR}/tools/*.hpp"
     "${SOURCE_DIR}/chapters/*.cpp" "${SOURCE_DIR}/chapters/*.hpp" "${SOURCE_DIR}/docs/*.cpp")
list(FILTER sources EXCLUDE REGEX "^tests/(reference|fuzz/corpus)/")
set(differ)
foreach(source IN LISTS sources)
  if(MODE STREQUAL "fix")
    execute_process(COMMAND "${CLANG_FORMAT}" -i "${source}" WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE status)
  else()
    execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror "${source}" WORKING_DIRECTORY "${SOURCE_DIR}"
                    RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
  endif()
  if(NOT status EQUAL 0)
    list(APPEND differ "${source}")
  endif()
endforeach()
list(LENGTH sources count)
if(differ)
  list(JOIN differ "\n  " shown)
  message(FATAL_ERROR "clang-format: these files differ from their formatted selves (the style is .clang-format; "
                      "cmake --build build/reference --target format rewrites them):\n  ${shown}")
endif()
message(STATUS "clang-format: ${count} files, all formatted as .clang-format says")
