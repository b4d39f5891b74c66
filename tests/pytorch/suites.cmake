# Fails naming every suite of the cross-check program (PROGRAM) that the list SUITES, which
# tests/pytorch/CMakeLists.txt runs one by one, leaves out.
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND "${PROGRAM}" --gtest_list_tests OUTPUT_VARIABLE listed RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --gtest_list_tests failed (${status})")
endif()
# gtest lists a suite as "Suite." at the start of a line, its tests indented below it.
string(REPLACE "\n" ";" lines "${listed}")
set(missing)
foreach(line IN LISTS lines)
  if(line MATCHES "^([A-Za-z0-9_]+)\\.$" AND NOT CMAKE_MATCH_1 IN_LIST SUITES)
    list(APPEND missing ${CMAKE_MATCH_1})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "suites of the cross-check that ctest does not run: ${missing}; add them to the list in tests/pytorch/CMakeLists.txt")
endif()
