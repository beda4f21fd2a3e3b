/*
 * test_doc_differential.c -- ZmmIOProc against the DOS procedure through
 * docmmio, mmio as Microsoft documents Windows' (buffers written out as
 * MMIOM_WRITEFLUSH, a buffered SEEK_END asked of the procedure): the same
 * generator as test_differential (differential.c), with none of the
 * exclusions Wine's mmio needs.
 *
 * The file procedure is Wine's own DOS procedure, taken from winmm with
 * mmioInstallIOProc(FOURCC_DOS, NULL, MMIO_FINDPROC) and called by docmmio.
 *
 * Fewer operations than test_differential by default: every buffer written
 * out is a WRITEFLUSH, which our procedure commits durably (a file sync).
 *
 * Usage: test_doc_differential [SEEDS [OPS [FIRST_SEED]]] (default 4 x 500).
 */
#include <stdio.h>

#include "differential.h"
#include "docmmio.h"
#include "wine_test.h"

static const diff_api doc = {
    "docmmio", 0, 4, 500,
    dm_open, dm_close, dm_read, dm_write, dm_seek, dm_flush,
    dm_getinfo, dm_setinfo, dm_setbuffer, dm_advance,
    dm_createchunk, dm_ascend, dm_descend,
};

int main(int argc, char **argv)
{
    LPMMIOPROC dos = mmioInstallIOProcA(FOURCC_DOS, NULL, MMIO_FINDPROC);

    tw_enter_workdir("doc_differential");
    CHECK(dos != NULL);
    if (!dos)
        return tw_finish("test_doc_differential");
    dm_install(FOURCC_DOS, dos);
    dm_install(FOURCC_ZMM, ZmmIOProc);
    diff_run(&doc, argc, argv);
    /* Buffers were written out, and only as WRITEFLUSH. */
    CHECK(dm_sent[MMIOM_WRITEFLUSH] > 0);
    printf("docmmio sent: %lu READ, %lu WRITE, %lu WRITEFLUSH, %lu SEEK\n",
           dm_sent[MMIOM_READ], dm_sent[MMIOM_WRITE],
           dm_sent[MMIOM_WRITEFLUSH], dm_sent[MMIOM_SEEK]);
    return tw_finish("test_doc_differential");
}
