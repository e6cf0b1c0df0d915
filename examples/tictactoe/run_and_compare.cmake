# Runs `HOST WASM --moves MOVES` and compares its standard output with EXPECTED.
#   cmake -DHOST=... -DWASM=... -DMOVES=4,0,8 -DEXPECTED=... -P run_and_compare.cmake
execute_process(COMMAND ${HOST} ${WASM} --moves ${MOVES}
                OUTPUT_VARIABLE actual
                ERROR_VARIABLE errors
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${HOST} exited with ${status}:\n${errors}")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "the output differs from ${EXPECTED}:\n--- expected\n${expected}--- actual\n${actual}")
endif()
