# check-no-core.cmake -- cmake -DEXE=zmmplay.exe -DOBJDUMP=... -P check-no-core.cmake
#
# The sample player is an ordinary mmio application: everything it knows
# of archives comes from zmmio.dll's exports. So its executable holds no
# copy of the core library or of zlib: no zmm_* or zlib symbol in its
# symbol table, no zlib version string, and zmmio.dll is not linked either
# (the player loads it at run time). Mutation tried: linking `zmm` back
# into zmmplay and calling zmm_version() fails this check.
cmake_minimum_required(VERSION 3.20)
if(NOT EXE OR NOT OBJDUMP)
    message(FATAL_ERROR "usage: cmake -DEXE=... -DOBJDUMP=... -P check-no-core.cmake")
endif()
execute_process(COMMAND ${OBJDUMP} -t ${EXE} OUTPUT_VARIABLE symbols
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJDUMP} -t ${EXE} failed (${rc})")
endif()
string(REGEX MATCHALL "[ \t](zmm_[a-z0-9_]+|inflate[A-Za-z0-9_]*|deflate[A-Za-z0-9_]*|crc32[a-z0-9_]*)\n" found "${symbols}")
if(found)
    string(REPLACE "\n" "" found "${found}")
    message(FATAL_ERROR "${EXE} carries the core library or zlib:${found}")
endif()
file(STRINGS ${EXE} zlib_text REGEX "inflate [0-9]+\\.[0-9]+" LIMIT_COUNT 1)
if(zlib_text)
    message(FATAL_ERROR "${EXE} carries zlib ('${zlib_text}')")
endif()
execute_process(COMMAND ${OBJDUMP} -p ${EXE} OUTPUT_VARIABLE dump)
if(dump MATCHES "DLL Name: zmmio.dll")
    message(FATAL_ERROR "${EXE} links zmmio.dll; it loads it at run time")
endif()
message(STATUS "${EXE}: no core library, no zlib")
