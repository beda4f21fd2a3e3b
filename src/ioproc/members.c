/*
 * members.c -- ZmmGetMemberInfo, ZmmEnumMembers, ZmmVerifyMember: what an
 * archive holds, for applications that show it (include/zmmio.h).
 *
 * Names are split (mmio_name.h) and bare archive names found exactly as
 * MMIOM_OPEN does. These calls are rare (a player lists an archive once),
 * so each opens the archive read-only with the core library and closes it.
 */
#include <stdlib.h>
#include <string.h>

#include "zmmio.h"
#include "zmm.h"

#include "mmio_name.h"

/* The result of these calls for a core result. */
static MMRESULT info_error(zmm_result rc)
{
    switch (rc) {
    case ZMM_OK:
        return 0;
    case ZMM_ERR_NOT_FOUND:
    case ZMM_ERR_BAD_NAME:
        return MMIOERR_FILENOTFOUND;
    case ZMM_ERR_NOT_ARCHIVE:
        return MMIOERR_INVALIDFILE;
    case ZMM_ERR_CORRUPT:
        return MMIOERR_CANNOTREAD;
    case ZMM_ERR_UNSUPPORTED:
        return MMSYSERR_NOTSUPPORTED;
    case ZMM_ERR_ACCESS:
        return MMIOERR_ACCESSDENIED;
    case ZMM_ERR_SHARING:
        return MMIOERR_SHARINGVIOLATION;
    case ZMM_ERR_NOMEM:
        return MMIOERR_OUTOFMEMORY;
    default:
        return MMIOERR_CANNOTOPEN;
    }
}

/* Splits `ansi` and opens its archive for reading. */
static MMRESULT open_named(LPCSTR ansi, zmmio_name *name, zmm_archive **ar)
{
    MMRESULT err;

    *ar = NULL;
    err = zmmio_name_parse(ansi, name);
    if (!err)
        err = zmmio_name_search(name);
    if (!err)
        err = info_error(zmm_archive_open(name->archive, ZMM_OPEN_READ, ar,
                                          NULL));
    if (!err) {
        /* Opened on the older state because the newest is damaged: what
         * it lists is not what mmioOpen was asked about. Damage. */
        zmm_archive_info info;

        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        if (zmm_archive_get_info(*ar, &info) == ZMM_OK &&
            (info.flags & ZMM_ARCHIVE_NEWEST_LOST)) {
            zmm_archive_close(*ar);
            *ar = NULL;
            err = MMIOERR_CANNOTREAD;
        }
    }
    if (err)
        zmmio_name_free(name);
    return err;
}

static MMRESULT fill_info(zmm_archive *ar, size_t index, ZMMMEMBERINFO *out)
{
    zmm_member_info mi;
    zmm_result rc;

    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    rc = zmm_archive_member_info(ar, index, &mi);
    if (rc != ZMM_OK)
        return info_error(rc);
    /* Only the fields of the caller's version of the struct. */
    memset(out, 0, ZMMMEMBERINFO_V1_SIZE);
    out->cbStruct = ZMMMEMBERINFO_V1_SIZE;
    out->dwFlags = mi.flags & (ZMMMEMBER_DEFAULT | ZMMMEMBER_PCM |
                               ZMMMEMBER_DICT);
    out->cbSize = mi.size;
    out->cbPacked = mi.packed_size;
    out->cbBlock = mi.block_size;
    out->dwIndex = (DWORD)index;
    /* 255 UTF-8 bytes never need more than 255 UTF-16 units. */
    if (MultiByteToWideChar(CP_UTF8, 0, mi.name, -1, out->szName,
                            (int)(sizeof out->szName / sizeof(WCHAR))) == 0)
        return MMIOERR_CANNOTREAD;
    return 0;
}

static int struct_ok(const ZMMMEMBERINFO *info)
{
    return info != NULL && info->cbStruct >= ZMMMEMBERINFO_V1_SIZE;
}

MMRESULT WINAPI ZmmGetMemberInfo(LPCSTR pszName, ZMMMEMBERINFO *pInfo)
{
    zmmio_name name;
    zmm_archive *ar;
    size_t index;
    MMRESULT err;

    if (!pszName || !struct_ok(pInfo))
        return MMSYSERR_INVALPARAM;
    err = open_named(pszName, &name, &ar);
    if (err)
        return err;
    err = info_error(zmm_archive_find(ar, name.member, &index));
    if (!err)
        err = fill_info(ar, index, pInfo);
    zmm_archive_close(ar);
    zmmio_name_free(&name);
    return err;
}

MMRESULT WINAPI ZmmEnumMembers(LPCSTR pszArchive, ZMMENUMMEMBERSPROC pfn,
                               LPARAM lParam)
{
    zmmio_name name;
    zmm_archive *ar;
    ZMMMEMBERINFO info;
    size_t i, count;
    MMRESULT err;

    if (!pszArchive || !pfn)
        return MMSYSERR_INVALPARAM;
    err = open_named(pszArchive, &name, &ar);
    if (err)
        return err;
    count = zmm_archive_member_count(ar);
    for (i = 0; !err && i < count; i++) {
        err = fill_info(ar, i, &info);
        if (!err && !pfn(&info, lParam))
            break;
    }
    zmm_archive_close(ar);
    zmmio_name_free(&name);
    return err;
}

MMRESULT WINAPI ZmmVerifyMember(LPCSTR pszName, ULONGLONG *pqwDamaged)
{
    zmmio_name name;
    zmm_archive *ar;
    zmm_member_info mi;
    size_t index;
    uint32_t bad = 0;
    zmm_result rc;
    MMRESULT err;

    if (!pszName || !pqwDamaged)
        return MMSYSERR_INVALPARAM;
    *pqwDamaged = 0;
    err = open_named(pszName, &name, &ar);
    if (err)
        return err;
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    rc = zmm_archive_find(ar, name.member, &index);
    if (rc == ZMM_OK)
        rc = zmm_archive_member_info(ar, index, &mi);
    if (rc == ZMM_OK)
        rc = zmm_archive_verify_member(ar, mi.name, &bad);
    if (rc == ZMM_ERR_CORRUPT)
        *pqwDamaged = (ULONGLONG)bad * mi.block_size;
    zmm_archive_close(ar);
    zmmio_name_free(&name);
    return info_error(rc);
}
