# zmm_check_header_version(HEADER PREFIX): fails the configure unless HEADER
# defines PREFIX_MAJOR, _MINOR and _PATCH as project(VERSION) says (and
# PREFIX_STRING, when it defines one, as "MAJOR.MINOR.PATCH"). The public
# headers carry the version as plain macros, readable without a build; this
# keeps them from drifting from the one in CMakeLists.txt.
function(zmm_check_header_version header prefix)
    file(STRINGS ${header} _lines REGEX "^#define ${prefix}_[A-Z]+ ")
    set(_string_found OFF)
    foreach(_line IN LISTS _lines)
        if(_line MATCHES "^#define ${prefix}_(MAJOR|MINOR|PATCH) +([0-9]+)")
            set(_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
        elseif(_line MATCHES "^#define ${prefix}_STRING +\"([^\"]*)\"")
            set(_string_found ON)
            set(_STRING ${CMAKE_MATCH_1})
        endif()
    endforeach()
    foreach(_part MAJOR MINOR PATCH)
        if(NOT "${_${_part}}" STREQUAL "${PROJECT_VERSION_${_part}}")
            message(FATAL_ERROR "${header}: ${prefix}_${_part} is "
                "'${_${_part}}', project(VERSION) says ${PROJECT_VERSION_${_part}}")
        endif()
    endforeach()
    if(_string_found AND NOT _STRING STREQUAL PROJECT_VERSION)
        message(FATAL_ERROR "${header}: ${prefix}_STRING is '${_STRING}', "
            "project(VERSION) says ${PROJECT_VERSION}")
    endif()
endfunction()
