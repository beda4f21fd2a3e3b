# Warnings for every target of ours; -Werror in CI (ZMM_WERROR=ON).
set(ZMM_WARNINGS
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2
    -Wundef -Wold-style-definition)
if(ZMM_WERROR)
    list(APPEND ZMM_WARNINGS -Werror)
endif()

if(ZMM_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

# zmm_target_warnings(target): applies our warning set to one of our targets.
function(zmm_target_warnings target)
    target_compile_options(${target} PRIVATE ${ZMM_WARNINGS})
endfunction()
