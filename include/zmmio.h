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
 * Member names are paths with '/' separators ("sfx/boom.wav", as zmm pack
 * stores a folder's files); in the member part of an mmio name '\\' is taken
 * as '/' too, so the Windows spelling works: "pack.zmm+sfx\\boom.wav" opens
 * member "sfx/boom.wav" (everywhere a name is taken: mmioOpen, MMIO_DELETE,
 * mmioRename, ZmmGetMemberInfo, ZmmVerifyMember). A member whose name
 * itself holds a '\\' (which zmm warns about) cannot be named through mmio.
 *
 * Many members: every handle that reads shares its archive's directory,
 * parsed once per process and read again only after a commit, and a cache
 * of decoded blocks (ZmmSetCacheLimit); each handle opens the archive file
 * itself and closes it with mmioClose, so with no handle open the file can
 * be renamed, replaced or deleted. A bare archive name ("sounds.zmm+x.wav")
 * is found where mmioOpen finds a plain file: the application's folder, the
 * current folder, the system folders, PATH.
 *
 * Reads, writes and seeks behave as on the plain file through the built-in
 * DOS procedure: SEEK_END offsets count back from the end, reads past the end
 * return 0, a write past the end leaves zeros in the gap. Writes become
 * durable when the handle is closed (mmioClose returns MMIOERR_CANNOTWRITE if
 * any of them failed) and, while a handle keeps writing, at checkpoints:
 * once 4 MiB have been written since the last one, or 2 s after the first
 * byte not yet checkpointed, at the next write that ends on or crosses a
 * 64 KiB block edge (at the latest at twice those limits), the data written
 * so far is committed. An application that dies mid-recording so keeps
 * everything up to its last checkpoint, and other processes opening the
 * member see it grow.
 *
 * MMIOM_WRITEFLUSH, which Windows' mmioWrite sends for each buffer a
 * buffered handle writes out, "is equivalent to the MMIOM_WRITE message
 * except that it requests that the I/O procedure flush its internal
 * buffers" (Microsoft's documentation): zmmio takes the data as a WRITE and
 * the request as leave to checkpoint by the policy above, never as one
 * durable commit per message (that made a buffered recording 5x slower and
 * its archive 6x larger). mmioFlush and mmioClose are where an application
 * asks for its data to be on disk; mmioClose commits.
 *
 * Threads: every function may be called from any thread; distinct mmio
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

/* ---- what an archive holds ------------------------------------------------
 * For players and tools that show an archive's members (sizes, compression)
 * or explain why a member does not play. Names are as mmioOpen takes them
 * (ANSI), and a bare archive name is found where mmioOpen finds it. Each
 * returns 0 or: MMIOERR_FILENOTFOUND (no such archive or member),
 * MMIOERR_INVALIDFILE (the file is not a ZMM archive), MMIOERR_CANNOTREAD
 * (the archive or member is damaged: a CRC or bound fails, or the newest
 * commit is, so that only an older state could be read),
 * MMSYSERR_NOTSUPPORTED (made by a newer version), MMIOERR_ACCESSDENIED,
 * MMIOERR_SHARINGVIOLATION, MMIOERR_OUTOFMEMORY, MMIOERR_CANNOTOPEN (any
 * other failure), MMSYSERR_INVALPARAM (a NULL pointer or a struct size
 * below ZMMMEMBERINFO_V1_SIZE).
 */

/* ZMMMEMBERINFO.dwFlags */
#define ZMMMEMBER_DEFAULT 0x1u /* the member "archive.zmm+" opens */
#define ZMMMEMBER_PCM 0x2u     /* WAV samples stored with the audio filter */
#define ZMMMEMBER_DICT 0x4u    /* compressed with a preset dictionary */

typedef struct ZMMMEMBERINFO {
    DWORD cbStruct;       /* set to sizeof(ZMMMEMBERINFO) before the call */
    DWORD dwFlags;        /* ZMMMEMBER_* */
    ULONGLONG cbSize;     /* its bytes, as mmioRead returns them */
    ULONGLONG cbPacked;   /* the bytes it takes in the archive */
    DWORD cbBlock;        /* its block size */
    DWORD dwIndex;        /* its place in the archive's directory */
    WCHAR szName[256];    /* its name (UTF-16) */
} ZMMMEMBERINFO;

/* The size of the first version of ZMMMEMBERINFO: later versions only
 * append fields, and every call accepts any cbStruct from this one up. */
#define ZMMMEMBERINFO_V1_SIZE sizeof(ZMMMEMBERINFO)

/* Fills *pInfo for the member `pszName` names ("pack.zmm+intro.wav";
 * "pack.zmm+" is the default member). */
ZMMIO_API MMRESULT WINAPI ZmmGetMemberInfo(LPCSTR pszName,
                                           ZMMMEMBERINFO *pInfo);

/* Called for each member in directory order; returning FALSE stops. */
typedef BOOL(CALLBACK *ZMMENUMMEMBERSPROC)(const ZMMMEMBERINFO *pInfo,
                                           LPARAM lParam);

/* Calls pfn for every member of the archive `pszArchive` ("pack.zmm", or
 * any mmio name of it: "pack.zmm+..." lists the same archive). */
ZMMIO_API MMRESULT WINAPI ZmmEnumMembers(LPCSTR pszArchive,
                                         ZMMENUMMEMBERSPROC pfn,
                                         LPARAM lParam);

/* Reads and checks every block of the member `pszName` names. 0 when all
 * are sound; MMIOERR_CANNOTREAD when one is damaged, with the first damaged
 * byte's offset in *pqwDamaged (not NULL: the start of the failing block;
 * the block ends cbBlock bytes later, or at the member's end). */
ZMMIO_API MMRESULT WINAPI ZmmVerifyMember(LPCSTR pszName,
                                          ULONGLONG *pqwDamaged);

/*
 * Every handle that reads shares, per process, each archive's parsed
 * directory and a cache of decoded blocks: a sound played again is not
 * decompressed again. Sets the cache's limit in bytes (32 MiB by default;
 * 0 keeps no blocks) and returns the previous one. Any thread, any time.
 */
ZMMIO_API SIZE_T WINAPI ZmmSetCacheLimit(SIZE_T cbLimit);

/*
 * The DLL's version as ZMMIO_MAKE_VERSION(major, minor, patch): compare it
 * with ZMMIO_VERSION (the header's) to check the DLL an application loaded.
 */
ZMMIO_API DWORD WINAPI ZmmGetVersion(void);

#define ZMMIO_MAKE_VERSION(major, minor, patch) \
    (((DWORD)(major) << 16) | ((DWORD)(minor) << 8) | (DWORD)(patch))
#define ZMMIO_VERSION_MAJOR 0
#define ZMMIO_VERSION_MINOR 5
#define ZMMIO_VERSION_PATCH 0
#define ZMMIO_VERSION \
    ZMMIO_MAKE_VERSION(ZMMIO_VERSION_MAJOR, ZMMIO_VERSION_MINOR, \
                       ZMMIO_VERSION_PATCH)

/* Function pointer types, for applications that load the DLL with
 * LoadLibrary and GetProcAddress. */
typedef BOOL(WINAPI *ZMMINSTALLIOPROC)(void);
typedef BOOL(WINAPI *ZMMREMOVEIOPROC)(void);
typedef DWORD(WINAPI *ZMMGETVERSION)(void);
typedef MMRESULT(WINAPI *ZMMGETMEMBERINFO)(LPCSTR, ZMMMEMBERINFO *);
typedef MMRESULT(WINAPI *ZMMENUMMEMBERS)(LPCSTR, ZMMENUMMEMBERSPROC, LPARAM);
typedef MMRESULT(WINAPI *ZMMVERIFYMEMBER)(LPCSTR, ULONGLONG *);
typedef SIZE_T(WINAPI *ZMMSETCACHELIMIT)(SIZE_T);

#ifdef __cplusplus
}
#endif

#endif /* ZMMIO_H */
