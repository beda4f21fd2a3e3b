# check-exports.cmake -- cmake -DDLL=zmmio.dll -DDEF=zmmio.def -DOBJDUMP=...
#     -P check-exports.cmake
#
# Checks the built zmmio.dll with objdump -p: it exports exactly the names
# the EXPORTS section of DEF (src/ioproc/zmmio.def) lists, undecorated (no
# _Name@N, also in a 32-bit build), and imports only system DLLs: KERNEL32,
# WINMM and the C runtime (msvcrt or the api-ms-win-crt-* set) -- no
# zlib1.dll, no libgcc or libwinpthread DLL.
#
# Mutation seen failing (2026-12-02): a fifth name (ZmmExtra) added to a
# scratch copy of zmmio.def given as DEF: "exports are '...', expected
# exactly '...;ZmmExtra;...'".
cmake_minimum_required(VERSION 3.20)
if(NOT DLL OR NOT DEF OR NOT OBJDUMP)
    message(FATAL_ERROR "usage: cmake -DDLL=... -DDEF=... -DOBJDUMP=... -P check-exports.cmake")
endif()
execute_process(COMMAND ${OBJDUMP} -p ${DLL}
                OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJDUMP} -p ${DLL} failed (${rc})")
endif()

# Exports: the lines of the "[Ordinal/Name Pointer] Table".
string(REGEX MATCH "\\[Ordinal/Name Pointer\\] Table\n([^\n]+\n)+" table "${dump}")
# (Square brackets would confuse CMake's list splitting: drop them first.)
string(REGEX REPLACE "[][]" " " table "${table}")
string(REGEX MATCHALL "\n[ \t]+[0-9]+ +[^\n]+" entries "${table}")
set(exports "")
foreach(e IN LISTS entries)
    string(REGEX REPLACE "^\n[ \t]+[0-9]+ +" "" e "${e}")
    string(STRIP "${e}" e)
    list(APPEND exports "${e}")
endforeach()
list(SORT exports)
# The .def's EXPORTS: one name a line (";" starts a comment; "@N"
# ordinals and keywords such as DATA or PRIVATE after the name are dropped).
file(STRINGS ${DEF} def_lines)
set(expected "")
set(in_exports OFF)
foreach(l IN LISTS def_lines)
    string(REGEX REPLACE ";.*$" "" l "${l}")
    string(STRIP "${l}" l)
    if(l STREQUAL "")
        continue()
    elseif(l MATCHES "^EXPORTS")
        set(in_exports ON)
    elseif(l MATCHES "^(LIBRARY|NAME|DESCRIPTION|STACKSIZE|HEAPSIZE|SECTIONS|VERSION)")
        set(in_exports OFF)
    elseif(in_exports)
        string(REGEX REPLACE "[ \t=@].*$" "" name "${l}")
        list(APPEND expected ${name})
    endif()
endforeach()
list(SORT expected)
if(NOT expected)
    message(FATAL_ERROR "no EXPORTS found in ${DEF}")
endif()
if(NOT exports STREQUAL expected)
    message(FATAL_ERROR "exports are '${exports}', expected exactly '${expected}'")
endif()

# Imports.
string(REGEX MATCHALL "DLL Name: [^\n]+" names "${dump}")
set(imports "")
foreach(n IN LISTS names)
    string(REGEX REPLACE "DLL Name: " "" n "${n}")
    string(STRIP "${n}" n)
    string(TOLOWER "${n}" n)
    list(APPEND imports "${n}")
    if(NOT n MATCHES "^(kernel32|winmm|msvcrt|ucrtbase|api-ms-win-crt-[a-z0-9-]+)\\.dll$")
        message(FATAL_ERROR "zmmio.dll imports ${n}: only system DLLs are allowed")
    endif()
endforeach()
if(NOT "kernel32.dll" IN_LIST imports OR NOT "winmm.dll" IN_LIST imports)
    message(FATAL_ERROR "imports '${imports}' lack kernel32.dll or winmm.dll")
endif()
message(STATUS "zmmio.dll exports: ${exports}")
message(STATUS "zmmio.dll imports: ${imports}")
