/*
 * differential.h -- the differential test's generator (differential.c),
 * run through an mmio implementation given as a table: the same random
 * sequences of mmio calls on a plain file through the DOS procedure and on
 * an archive member through ZmmIOProc, every result compared.
 */
#ifndef ZMMIO_DIFFERENTIAL_H
#define ZMMIO_DIFFERENTIAL_H

#include <windows.h>
#include <mmsystem.h>

typedef struct diff_api {
    const char *name;  /* for the summary line */
    int wine_mmio;     /* Wine's winmm: apply exclusions A-C */
    unsigned long default_seeds, default_ops;
    HMMIO(WINAPI *open)(LPSTR, LPMMIOINFO, DWORD);
    MMRESULT(WINAPI *close)(HMMIO, UINT);
    LONG(WINAPI *read)(HMMIO, HPSTR, LONG);
    LONG(WINAPI *write)(HMMIO, const char *, LONG);
    LONG(WINAPI *seek)(HMMIO, LONG, int);
    MMRESULT(WINAPI *flush)(HMMIO, UINT);
    MMRESULT(WINAPI *getinfo)(HMMIO, LPMMIOINFO, UINT);
    MMRESULT(WINAPI *setinfo)(HMMIO, LPCMMIOINFO, UINT);
    MMRESULT(WINAPI *setbuffer)(HMMIO, LPSTR, LONG, UINT);
    MMRESULT(WINAPI *advance)(HMMIO, LPMMIOINFO, UINT);
    MMRESULT(WINAPI *createchunk)(HMMIO, LPMMCKINFO, UINT);
    MMRESULT(WINAPI *ascend)(HMMIO, LPMMCKINFO, UINT);
    MMRESULT(WINAPI *descend)(HMMIO, LPMMCKINFO, const MMCKINFO *, UINT);
} diff_api;

/*
 * Runs the seeds in the current directory, with the procedures already
 * installed where `api` finds them. argv: [SEEDS [OPS [FIRST_SEED]]]
 * (defaults from the table). Failures go to the wine_test harness; the
 * caller ends with tw_finish().
 */
int diff_run(const diff_api *api, int argc, char **argv);

#endif
