# The stub gate, run by ctest in the reference build (the test `gate`, label gate):
#   cmake -DEXGEN=PATH/exgen -DSOURCE_DIR=REPOSITORY -P tools/gate.cmake
# exgen makes the untouched stubs from solutions/ into build/gate-stubs/exercises; they are
# copied into build/graded/exercises (only the files that differ, so that the grade build
# recompiles only those), built by the grade preset with -Werror on the exercise files (a
# student's first build shows no warning), and tested: every exercise must fail on its stub,
# with the not-implemented error (course_tests --gate judges the reports).
cmake_minimum_required(VERSION 3.25)
set(stubs "${SOURCE_DIR}/build/gate-stubs/exercises")
set(graded "${SOURCE_DIR}/build/graded/exercises")
set(grade "${SOURCE_DIR}/build/grade")

function(run)  # run(COMMAND... [QUIET]): stops the gate if COMMAND fails
  set(quiet)
  if("QUIET" IN_LIST ARGN)
    list(REMOVE_ITEM ARGN QUIET)
    set(quiet OUTPUT_QUIET)
  endif()
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE status ${quiet})
  if(NOT status EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "gate: `${command}` failed (${status})")
  endif()
endfunction()

file(REMOVE_RECURSE "${SOURCE_DIR}/build/gate-stubs")
run("${EXGEN}" generate --solutions solutions --exercises "${stubs}" --chapters chapters QUIET)

# build/graded/exercises becomes a copy of the stubs.
file(GLOB_RECURSE files RELATIVE "${stubs}" "${stubs}/*.cpp")
foreach(file IN LISTS files)
  get_filename_component(dir "${graded}/${file}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(COPY_FILE "${stubs}/${file}" "${graded}/${file}" ONLY_IF_DIFFERENT)
endforeach()
file(GLOB_RECURSE old RELATIVE "${graded}" "${graded}/*.cpp")
foreach(file IN LISTS old)
  if(NOT EXISTS "${stubs}/${file}")
    file(REMOVE "${graded}/${file}")
  endif()
endforeach()

run("${CMAKE_COMMAND}" --preset grade -DBP_STUB_WERROR=ON QUIET)
message(STATUS "gate: building the untouched stubs (grade preset, -Werror on the exercise files)")
run("${CMAKE_COMMAND}" --build --preset grade)
file(GLOB reports "${grade}/test-reports/*.tsv")
if(reports)
  file(REMOVE ${reports})
endif()
# On stubs, failures are the point: the reports say how each failed.
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" --preset grade -j 2 WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_QUIET ERROR_QUIET)
message(STATUS "Stub gate: every exercise must fail on its untouched stub, with the not-implemented error:")
run("${grade}/tests/course_tests" --gate=${grade}/test-reports)
