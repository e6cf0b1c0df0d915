# Converts every .wast file in SUITE_DIR with wast2json into OUT_DIR/<stem>/,
# giving the mutation fuzz test its corpus of .wasm files; then touches STAMP.
#   cmake -DWAST2JSON=... -DSUITE_DIR=... -DOUT_DIR=... -DSTAMP=... -P wast_to_corpus.cmake
# wast2json 1.0.32 reports errors on a few commands of some files (e.g.
# core/elem.wast) yet writes the other modules, so a failure is only a warning.
file(GLOB wast_files "${SUITE_DIR}/*.wast")
file(REMOVE_RECURSE "${OUT_DIR}")
foreach(wast IN LISTS wast_files)
  get_filename_component(stem "${wast}" NAME_WE)
  file(MAKE_DIRECTORY "${OUT_DIR}/${stem}")
  execute_process(COMMAND "${WAST2JSON}" "${wast}" -o "${OUT_DIR}/${stem}/${stem}.json"
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
  if(NOT status EQUAL 0)
    message(STATUS "wast2json reported errors for ${wast}; using the modules it wrote")
  endif()
endforeach()
file(TOUCH "${STAMP}")
