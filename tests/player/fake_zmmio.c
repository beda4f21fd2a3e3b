/*
 * fake_zmmio.c -- a DLL named zmmio.dll that is not zmmio's: it exports
 * nothing the player looks for. test_player.sh puts zmmplay.exe beside it
 * and expects the message naming the missing ZmmInstallIOProc export.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

__declspec(dllexport) int WINAPI NotZmmio(void);

__declspec(dllexport) int WINAPI NotZmmio(void)
{
    return 42;
}
