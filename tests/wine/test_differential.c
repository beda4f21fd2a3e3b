/*
 * test_differential.c -- ZmmIOProc against the built-in DOS procedure,
 * through Wine's winmm (the generator and its exclusions: differential.c).
 *
 * Usage: test_differential [SEEDS [OPS [FIRST_SEED]]] (default 12 x 2000).
 */
#include "differential.h"
#include "wine_test.h"

static const diff_api winmm = {
    "winmm", 1, 12, 2000,
    mmioOpenA, mmioClose, mmioRead, mmioWrite, mmioSeek, mmioFlush,
    mmioGetInfo, mmioSetInfo, mmioSetBuffer, mmioAdvance,
    mmioCreateChunk, mmioAscend, mmioDescend,
};

int main(int argc, char **argv)
{
    tw_enter_workdir("differential");
    tw_install();
    diff_run(&winmm, argc, argv);
    if (!ZmmRemoveIOProc())
        tw_fail(__FILE__, __LINE__, "ZmmRemoveIOProc after closing all");
    return tw_finish("test_differential");
}
