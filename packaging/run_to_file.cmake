# cmake -DEXE=program -DARGS=a,b -DOUT=file -P run_to_file.cmake: runs EXE ARGS and writes its
# standard output to OUT, all or nothing (a failing run leaves no OUT and fails the build).
string(REPLACE "," ";" args "${ARGS}")
execute_process(COMMAND "${EXE}" ${args} OUTPUT_FILE "${OUT}.part" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    file(REMOVE "${OUT}.part")
    message(FATAL_ERROR "${EXE} ${ARGS} failed (${rc}); ${OUT} not written")
endif()
file(RENAME "${OUT}.part" "${OUT}")
