# Runs a libFuzzer binary for a bounded time on a copy of its seed corpus,
# prints how many inputs it executed and fails unless it executed more inputs
# than there are seeds.
#   cmake -DFUZZER=path -DSEEDS=dir -DWORK=dir -DSECONDS=n -P run_fuzzer.cmake
# New inputs go to WORK/corpus (a copy: the seeds in the source tree are never
# touched); crash reproducers to WORK/.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB seeds ${SEEDS}/*)
file(COPY ${seeds} DESTINATION ${WORK}/corpus)
execute_process(
    COMMAND ${FUZZER} -max_total_time=${SECONDS} -rss_limit_mb=2048
            -malloc_limit_mb=1024 -timeout=10 -max_len=65536
            -print_final_stats=1 -artifact_prefix=${WORK}/ ${WORK}/corpus
    WORKING_DIRECTORY ${WORK}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" execs "${out}")
string(REGEX MATCH "Done [0-9]+ runs in [0-9]+ second" done "${out}")
if(NOT result EQUAL 0)
    message("${out}")
    message(FATAL_ERROR "fuzzer failed (${result}); reproducers in ${WORK}")
endif()
string(REGEX MATCH "[0-9]+$" n "${execs}")
# libFuzzer's last "cov:": the edges the run covered (seeds included).
string(REGEX MATCHALL "cov: [0-9]+" covs "${out}")
list(POP_BACK covs cov)
string(REGEX MATCH "[0-9]+$" edges "${cov}")
file(GLOB corpus ${WORK}/corpus/*)
list(LENGTH corpus ncorpus)
message("fuzz: ${done}s: ${n} executions, ${edges} edges covered, "
        "corpus ${ncorpus} inputs")
# A fuzzer that ran nothing (no seed read, stats not printed) is no pass:
# more executions than seeds means it mutated some.
list(LENGTH seeds nseeds)
set(nexec "${n}") # not `n`: if() reads that as the constant false
if(nexec STREQUAL "" OR nexec LESS_EQUAL nseeds OR ncorpus LESS nseeds)
    message("${out}")
    message(FATAL_ERROR "fuzzer ran ${n} inputs for ${nseeds} seeds "
                        "(corpus ${ncorpus}): it fuzzed nothing")
endif()
