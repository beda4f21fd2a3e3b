/*
 * install.c -- ZmmInstallIOProc / ZmmRemoveIOProc, ZmmGetVersion, DllMain.
 *
 * mmio keeps one list of procedures per process, and each
 * mmioInstallIOProc(MMIO_INSTALLPROC) adds an entry: it counts nothing. So
 * the DLL counts: the first install adds the one entry, later ones only
 * count, and the remove that brings the count back to zero takes the entry
 * out -- and refuses while handles are open, since mmio would otherwise call
 * into a DLL that may be unloaded next.
 */
#include "zmmio.h"

#include "handle_table.h"
#include "ioproc.h"
#include "zmmio_version.h"

static CRITICAL_SECTION install_lock;
static LONG install_count;

BOOL WINAPI ZmmInstallIOProc(void)
{
    BOOL ok = TRUE;

    EnterCriticalSection(&install_lock);
    if (install_count == 0)
        ok = mmioInstallIOProcA(FOURCC_ZMM, ZmmIOProc, MMIO_INSTALLPROC)
             != NULL;
    if (ok)
        install_count++;
    LeaveCriticalSection(&install_lock);
    return ok;
}

BOOL WINAPI ZmmRemoveIOProc(void)
{
    BOOL ok = FALSE;

    EnterCriticalSection(&install_lock);
    if (install_count > 1) {
        install_count--;
        ok = TRUE;
    } else if (install_count == 1 && zmmio_table_count() == 0) {
        /* mmio refuses too while one of its handles uses the procedure
         * (Wine counts them): then the count stays, and a later call may
         * succeed. */
        if (mmioInstallIOProcA(FOURCC_ZMM, ZmmIOProc, MMIO_REMOVEPROC)) {
            install_count = 0;
            ok = TRUE;
        }
    }
    LeaveCriticalSection(&install_lock);
    return ok;
}

DWORD WINAPI ZmmGetVersion(void)
{
    return ZMMIO_MAKE_VERSION(ZMMIO_BUILD_VERSION_MAJOR,
                              ZMMIO_BUILD_VERSION_MINOR,
                              ZMMIO_BUILD_VERSION_PATCH);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved);

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    switch (reason) {
    case DLL_PROCESS_ATTACH:
        DisableThreadLibraryCalls(instance);
        InitializeCriticalSection(&install_lock);
        zmmio_table_init();
        zmmio_ioproc_init();
        break;
    case DLL_PROCESS_DETACH:
        if (reserved)
            break; /* the process is exiting: nothing needs undoing */
        /* FreeLibrary with the procedure still installed: take mmio's entry
         * out, or the next "*.zmm+" name would call into unmapped code. With
         * handles still open nothing can be made safe; leave them be. */
        if (install_count > 0 && zmmio_table_count() == 0)
            mmioInstallIOProcA(FOURCC_ZMM, ZmmIOProc, MMIO_REMOVEPROC);
        zmmio_ioproc_cleanup();
        zmmio_table_cleanup();
        DeleteCriticalSection(&install_lock);
        break;
    default:
        break;
    }
    return TRUE;
}
