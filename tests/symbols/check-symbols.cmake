# check-symbols.cmake -- cmake -DLIB=libzmm.so -DSTATIC=libzmm.a
#     -DHEADER=include/zmm.h -DNM=nm -P check-symbols.cmake
#
# The shared library's exported (dynamic, defined) symbols must be exactly
# the functions HEADER declares -- the list is read from the header, every
# `zmm_name(` outside comments, so a function added to zmm.h is expected at
# once -- and every global symbol of the static library must start with
# zmm_ (its internals are not exported from the .so, but a static link sees
# them: they must not clash with an application's names).
#
# Mutations seen failing (2026-12-02): a declaration in zmm.h without ZMM_API
# (zmm_version and zmm_strerror were missing from the .so: "declared in zmm.h
# but not exported"); an internal function (zmm_crc32) marked
# visibility("default") in a scratch copy ("exported but not in zmm.h"),
# both reported by one failing run.
cmake_minimum_required(VERSION 3.20)
foreach(v LIB STATIC HEADER NM)
    if(NOT ${v})
        message(FATAL_ERROR "usage: cmake -DLIB=... -DSTATIC=... -DHEADER=... -DNM=... -P check-symbols.cmake")
    endif()
endforeach()

# The header's functions.
file(READ ${HEADER} text)
string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
string(REGEX REPLACE "//[^\n]*" "" text "${text}")
string(REGEX MATCHALL "zmm_[a-z0-9_]+[ \t\n]*\\(" calls "${text}")
set(declared "")
foreach(c IN LISTS calls)
    string(REGEX REPLACE "[ \t\n]*\\($" "" c "${c}")
    list(APPEND declared ${c})
endforeach()
list(REMOVE_DUPLICATES declared)
list(SORT declared)
list(LENGTH declared n_declared)
if(n_declared LESS 10)
    message(FATAL_ERROR "only ${n_declared} functions found in ${HEADER}: '${declared}'")
endif()

# The shared library's dynamic symbols.
execute_process(COMMAND ${NM} -D --defined-only ${LIB}
                OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} -D --defined-only ${LIB} failed (${rc})")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${dump}")
set(exported "")
foreach(l IN LISTS lines)
    string(REGEX REPLACE "^.* " "" name "${l}")
    string(REGEX REPLACE "@.*$" "" name "${name}")
    list(APPEND exported ${name})
endforeach()
list(SORT exported)

set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
set(extra ${exported})
list(REMOVE_ITEM extra ${declared})
if(missing OR extra)
    message(FATAL_ERROR "${LIB} does not export exactly the functions of ${HEADER}:\n"
        "  declared in zmm.h but not exported (declare them with ZMM_API): ${missing}\n"
        "  exported but not in zmm.h (internal: keep them hidden): ${extra}")
endif()

# The static library's global symbols: all zmm_.
execute_process(COMMAND ${NM} -g --defined-only ${STATIC}
                OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} -g --defined-only ${STATIC} failed (${rc})")
endif()
string(REGEX MATCHALL "\n[0-9a-fA-F]+ [A-Za-z] [^\n]+" entries "\n${dump}")
set(foreign "")
set(n_static 0)
foreach(e IN LISTS entries)
    string(REGEX REPLACE "^.* " "" name "${e}")
    math(EXPR n_static "${n_static} + 1")
    if(NOT name MATCHES "^zmm_")
        list(APPEND foreign ${name})
    endif()
endforeach()
if(foreign)
    message(FATAL_ERROR "${STATIC} defines global symbols without the zmm_ prefix: ${foreign}")
endif()
list(LENGTH exported n_exported)
message(STATUS "${LIB}: exports the ${n_exported} functions of zmm.h: ${exported}")
message(STATUS "${STATIC}: ${n_static} global symbols, all zmm_")
