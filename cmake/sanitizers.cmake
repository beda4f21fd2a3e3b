# Instrumentation for the linux-asan, linux-tsan and linux-fuzz presets. Applies to every
# target (library, tests, tools) so that a bug is caught wherever it happens.
#
# ZMM_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer (gcc or clang);
#   any UB report stops the program (-fno-sanitize-recover), so CTest sees it.
# ZMM_FUZZ=ON (clang only): the same sanitizers plus libFuzzer's coverage
#   instrumentation (-fsanitize=fuzzer-no-link) everywhere. A fuzz target adds
#   -fsanitize=fuzzer to its own link (target_link_options) to get libFuzzer's
#   main(); its other tests link as usual.
# ZMM_TSAN=ON: ThreadSanitizer, for read-ahead's worker thread (a data race
#   report fails the test: halt_on_error in the test environment).
if(ZMM_SANITIZE OR ZMM_FUZZ)
    if(WIN32)
        message(FATAL_ERROR "ZMM_SANITIZE / ZMM_FUZZ are for the native Linux builds")
    endif()
    set(_zmm_san address,undefined)
    if(ZMM_FUZZ)
        if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
            message(FATAL_ERROR "ZMM_FUZZ=ON needs clang (libFuzzer): "
                                "configure with CMAKE_C_COMPILER=clang (preset linux-fuzz)")
        endif()
        add_compile_options(-fsanitize=fuzzer-no-link)
    endif()
    add_compile_options(-fsanitize=${_zmm_san} -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${_zmm_san})
endif()

if(ZMM_TSAN)
    if(WIN32 OR ZMM_SANITIZE OR ZMM_FUZZ)
        message(FATAL_ERROR "ZMM_TSAN is for a native Linux build of its own")
    endif()
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
endif()
