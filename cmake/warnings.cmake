# Warnings for every target of ours; -Werror in CI (ZMM_WERROR=ON, set by
# every preset in CMakePresets.json). Third-party code is never compiled here.
if(MSVC)
    set(ZMM_WARNINGS /W4)
    if(ZMM_WERROR)
        list(APPEND ZMM_WARNINGS /WX)
    endif()
else()
    set(ZMM_WARNINGS
        -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2
        -Wundef -Wold-style-definition)
    if(ZMM_WERROR)
        list(APPEND ZMM_WARNINGS -Werror)
    endif()
endif()

# zmm_target_warnings(target): applies our warning set to one of our targets.
function(zmm_target_warnings target)
    target_compile_options(${target} PRIVATE ${ZMM_WARNINGS})
endfunction()
