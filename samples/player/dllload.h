/*
 * dllload.h -- loads zmmio.dll at run time and installs its mmio procedure,
 * as any application that wants to read ".zmm+" names would: LoadLibrary,
 * GetProcAddress("ZmmInstallIOProc"), call it once before the first
 * mmioOpen. (Linking the import library libzmmio.dll.a and calling
 * ZmmInstallIOProc() directly works as well; run-time loading lets the
 * program explain a missing DLL instead of failing to start.)
 */
#ifndef ZMMPLAY_DLLLOAD_H
#define ZMMPLAY_DLLLOAD_H

#include <stddef.h>

#include "zmmplay.h" /* <windows.h> */

/*
 * Loads zmmio.dll -- from the program's own directory first, then the usual
 * DLL search path -- and calls its ZmmInstallIOProc. Returns 0 on success;
 * otherwise fills `err` with a message naming what is missing (the DLL, an
 * export, or mmio's refusal) and returns -1.
 */
int dll_install(char *err, size_t err_len);

/* The loaded DLL's path and version ("0.2.0"), for --version and the
 * status line; "" before dll_install() succeeded. */
const char *dll_description(void);

/* The loaded DLL's export `name` (ZmmEnumMembers...), or NULL when the
 * DLL is not loaded or too old to have it. */
FARPROC dll_proc(const char *name);

/* Balances dll_install(): ZmmRemoveIOProc, then FreeLibrary. Call only once
 * every mmio handle on a ".zmm+" name is closed. */
void dll_uninstall(void);

#endif
