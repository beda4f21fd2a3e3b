/*
 * archive_info.c -- the archive seen through zmmio.dll's exports.
 */
#include "archive_info.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dllload.h"
#include "text.h"

static char *copy_range(const char *s, size_t n)
{
    char *c = malloc(n + 1);

    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

/* Nonzero if the n bytes at s are "zmm" in any case. */
static int is_zmm(const char *s, size_t n)
{
    return n == 3 && tolower((unsigned char)s[0]) == 'z' &&
           tolower((unsigned char)s[1]) == 'm' &&
           tolower((unsigned char)s[2]) == 'm';
}

int archive_split_name(const char *name, char **archive, char **member)
{
    const char *plus = strrchr(name, '+');
    const char *dot;

    *archive = *member = NULL;
    if (!plus)
        return 0;
    for (dot = plus; dot > name && dot[-1] != '.'; dot--)
        ;
    if (dot == name || !is_zmm(dot, (size_t)(plus - dot)))
        return 0;
    *archive = copy_range(name, (size_t)(plus - name));
    *member = copy_range(plus + 1, strlen(plus + 1));
    if (!*archive || !*member) {
        free(*archive);
        free(*member);
        *archive = *member = NULL;
        return 0;
    }
    return 1;
}

int archive_has_zmm_extension(const char *path)
{
    size_t n = strlen(path);

    return n > 4 && path[n - 4] == '.' && is_zmm(path + n - 3, 3);
}

/* The archive's mmio name, in the ANSI code page the DLL takes; NULL when
 * out of memory or not representable. */
static char *ansi_name(const char *archive, const char *member)
{
    size_t na = strlen(archive), nm = member ? strlen(member) : 0;
    char *utf8 = malloc(na + nm + 2), *ansi;

    if (!utf8)
        return NULL;
    memcpy(utf8, archive, na);
    utf8[na] = '+';
    memcpy(utf8 + na + 1, member ? member : "", nm + 1);
    ansi = text_ansi_from_utf8(utf8);
    free(utf8);
    return ansi;
}

typedef struct list_building {
    archive_list *list;
    int out_of_memory;
} list_building;

static BOOL CALLBACK add_entry(const ZMMMEMBERINFO *info, LPARAM param)
{
    list_building *b = (list_building *)param;
    archive_list *list = b->list;
    archive_entry *grown, *e;

    grown = realloc(list->entries, (list->count + 1) * sizeof *grown);
    if (!grown) {
        b->out_of_memory = 1;
        return FALSE;
    }
    list->entries = grown;
    e = &list->entries[list->count];
    e->name = text_utf8_from_wide(info->szName);
    if (!e->name) {
        b->out_of_memory = 1;
        return FALSE;
    }
    e->size = info->cbSize;
    e->packed_size = info->cbPacked;
    e->is_default = (info->dwFlags & ZMMMEMBER_DEFAULT) != 0;
    list->count++;
    return TRUE;
}

/* The archive file's size, for "on disk"; 0 if it cannot be had. */
static uint64_t file_size(const char *path)
{
    WIN32_FILE_ATTRIBUTE_DATA d;
    wchar_t *w = text_wide_from_utf8(path);
    uint64_t size = 0;

    if (w && GetFileAttributesExW(w, GetFileExInfoStandard, &d))
        size = (uint64_t)d.nFileSizeHigh << 32 | d.nFileSizeLow;
    free(w);
    return size;
}

MMRESULT archive_read_list(const char *path, archive_list *list)
{
    ZMMENUMMEMBERS enum_members =
        (ZMMENUMMEMBERS)(void (*)(void))dll_proc("ZmmEnumMembers");
    list_building b;
    char *name;
    MMRESULT err;

    memset(list, 0, sizeof *list);
    if (!enum_members)
        return MMSYSERR_NOTSUPPORTED;
    name = ansi_name(path, NULL);
    if (!name)
        return MMIOERR_OUTOFMEMORY;
    b.list = list;
    b.out_of_memory = 0;
    err = enum_members(name, add_entry, (LPARAM)&b);
    free(name);
    if (!err && b.out_of_memory)
        err = MMIOERR_OUTOFMEMORY;
    if (err) {
        archive_free_list(list);
        return err;
    }
    list->file_size = file_size(path);
    return 0;
}

void archive_free_list(archive_list *list)
{
    size_t i;

    for (i = 0; list->entries && i < list->count; i++)
        free(list->entries[i].name);
    free(list->entries);
    memset(list, 0, sizeof *list);
}

const archive_entry *archive_find_entry(const archive_list *list,
                                        const char *member)
{
    size_t i;

    for (i = 0; i < list->count; i++) {
        const archive_entry *e = &list->entries[i];

        if (*member ? strcmp(e->name, member) == 0 : e->is_default)
            return e;
    }
    return NULL;
}

void archive_describe_ratio(char *buf, size_t len, uint64_t size,
                            uint64_t packed_size)
{
    char a[32], b[32];

    text_size(a, sizeof a, size);
    text_size(b, sizeof b, packed_size);
    if (packed_size == 0 || size == 0)
        text_format(buf, len, "%s stored in %s", a, b);
    else
        text_format(buf, len, "%s -> %s (ratio %.2f:1, %.0f%% saved)", a, b,
                    (double)size / (double)packed_size,
                    100.0 - 100.0 * (double)packed_size / (double)size);
}

MMRESULT archive_locate_damage(const char *path, const char *member,
                               uint64_t *first_byte, uint64_t *end_byte)
{
    ZMMVERIFYMEMBER verify =
        (ZMMVERIFYMEMBER)(void (*)(void))dll_proc("ZmmVerifyMember");
    ZMMGETMEMBERINFO get_info =
        (ZMMGETMEMBERINFO)(void (*)(void))dll_proc("ZmmGetMemberInfo");
    ZMMMEMBERINFO info;
    ULONGLONG damaged = 0;
    char *name;
    MMRESULT err;

    *first_byte = *end_byte = 0;
    if (!verify || !get_info)
        return MMSYSERR_NOTSUPPORTED;
    name = ansi_name(path, member);
    if (!name)
        return MMIOERR_OUTOFMEMORY;
    memset(&info, 0, sizeof info);
    info.cbStruct = sizeof info;
    err = get_info(name, &info);
    if (!err)
        err = verify(name, &damaged);
    free(name);
    if (err == MMIOERR_CANNOTREAD) {
        *first_byte = damaged;
        *end_byte = damaged + info.cbBlock;
        if (*end_byte > info.cbSize)
            *end_byte = info.cbSize;
    }
    return err;
}

const char *archive_error_text(MMRESULT err)
{
    switch (err) {
    case 0:
        return "no error";
    case MMIOERR_FILENOTFOUND:
        return "no such file or member";
    case MMIOERR_INVALIDFILE:
        return "not a ZMM archive";
    case MMIOERR_CANNOTREAD:
        return "damaged data: a CRC or a bound failed";
    case MMSYSERR_NOTSUPPORTED:
        return "made by a newer version, or zmmio.dll too old to tell";
    case MMIOERR_ACCESSDENIED:
        return "access denied";
    case MMIOERR_SHARINGVIOLATION:
        return "locked by another program";
    case MMIOERR_OUTOFMEMORY:
        return "out of memory";
    default:
        return "cannot open it";
    }
}
