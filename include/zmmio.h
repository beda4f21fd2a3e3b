/*
 * zmmio.h -- zmmio.dll: the mmio I/O procedure for ZMM archives.
 *
 * After ZmmInstallIOProc(), every mmio user in the process -- mmioOpen,
 * PlaySound, MCI, AVIFile -- opens members of ZMM archives by name:
 *
 *     "pack.zmm+intro.wav"   member "intro.wav" of archive "pack.zmm"
 *     "song.zmm+"            the archive's default member
 *
 * mmio picks the procedure from the extension before the last '+' (FOURCC
 * 'ZMM '); the procedure splits the name at that last '+' (archive path
 * before, member name after). Names are ANSI code page strings, as mmio hands
 * them over (mmioOpenW names are converted to the ANSI code page first).
 *
 * Reads, writes and seeks behave as on the plain file through the built-in
 * DOS procedure: SEEK_END offsets count back from the end, reads past the end
 * return 0, a write past the end leaves zeros in the gap. Writes become
 * durable when the handle is closed (mmioClose returns MMIOERR_CANNOTWRITE if
 * any of them failed) or at an MMIOM_WRITEFLUSH.
 *
 * Threads: all four functions may be called from any thread; distinct mmio
 * handles may be used from distinct threads at once (one handle by one thread
 * at a time, as with any mmio handle). A handle opened for reading that is
 * read forward gets a worker thread decoding the next blocks (read-ahead);
 * mmioClose joins it, so close every handle before unloading the DLL, and
 * never from DllMain.
 */
#ifndef ZMMIO_H
#define ZMMIO_H

/* Defines nothing before <windows.h> (WIN32_LEAN_AND_MEAN, NOMINMAX...):
 * those choices are the application's. <mmsystem.h> is included explicitly,
 * as WIN32_LEAN_AND_MEAN leaves it out of <windows.h>. */
#include <windows.h>
#include <mmsystem.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The FOURCC the procedure is installed for: names "*.zmm+..." reach it. */
#define FOURCC_ZMM mmioFOURCC('Z', 'M', 'M', ' ')

/* The DLL's exports are listed in src/ioproc/zmmio.def (undecorated names,
 * also on 32-bit x86), so building it needs no dllexport. */
#ifdef ZMMIO_BUILDING_DLL
#define ZMMIO_API
#else
#define ZMMIO_API __declspec(dllimport)
#endif

/*
 * Installs ZmmIOProc for FOURCC_ZMM in this process (mmioInstallIOProcA with
 * MMIO_INSTALLPROC). Idempotent and counted: the first call installs, later
 * calls only count, and each successful call must be matched by one
 * ZmmRemoveIOProc(). Returns TRUE on success, FALSE if mmio refused.
 */
ZMMIO_API BOOL WINAPI ZmmInstallIOProc(void);

/*
 * Undoes one ZmmInstallIOProc(). The one that brings the count to zero
 * removes the procedure from mmio (MMIO_REMOVEPROC); it returns FALSE,
 * changing nothing, while any handle opened through the procedure is still
 * open (close them and call again). Returns FALSE too when there is no
 * install to undo. Balance every install before FreeLibrary on the DLL.
 */
ZMMIO_API BOOL WINAPI ZmmRemoveIOProc(void);

/*
 * The I/O procedure itself (an LPMMIOPROC), for applications that pass it in
 * MMIOINFO.pIOProc (with fccIOProc = FOURCC_ZMM) instead of installing it.
 * It handles MMIOM_OPEN, CLOSE, READ, WRITE, WRITEFLUSH, SEEK and RENAME as
 * documented in src/ioproc/ioproc.c; other messages return 0.
 */
ZMMIO_API LRESULT CALLBACK ZmmIOProc(LPSTR lpmmioinfo, UINT uMsg,
                                     LPARAM lParam1, LPARAM lParam2);

/*
 * The DLL's version as ZMMIO_MAKE_VERSION(major, minor, patch): compare it
 * with ZMMIO_VERSION (the header's) to check the DLL an application loaded.
 */
ZMMIO_API DWORD WINAPI ZmmGetVersion(void);

#define ZMMIO_MAKE_VERSION(major, minor, patch) \
    (((DWORD)(major) << 16) | ((DWORD)(minor) << 8) | (DWORD)(patch))
#define ZMMIO_VERSION_MAJOR 0
#define ZMMIO_VERSION_MINOR 3
#define ZMMIO_VERSION_PATCH 0
#define ZMMIO_VERSION \
    ZMMIO_MAKE_VERSION(ZMMIO_VERSION_MAJOR, ZMMIO_VERSION_MINOR, \
                       ZMMIO_VERSION_PATCH)

/* Function pointer types, for applications that load the DLL with
 * LoadLibrary and GetProcAddress. */
typedef BOOL(WINAPI *ZMMINSTALLIOPROC)(void);
typedef BOOL(WINAPI *ZMMREMOVEIOPROC)(void);
typedef DWORD(WINAPI *ZMMGETVERSION)(void);

#ifdef __cplusplus
}
#endif

#endif /* ZMMIO_H */
