/*
 * archive_info.h -- what the player learns about a ZMM archive from
 * zmmio.dll's exports (ZmmEnumMembers, ZmmVerifyMember: include/zmmio.h),
 * beside playing it through mmio: whether a name routes to the procedure,
 * the members with their logical and packed sizes (the compression ratio),
 * and where a damaged member fails. Like any application, the player uses
 * only the DLL: it carries no copy of the core library.
 */
#ifndef ZMMPLAY_ARCHIVE_INFO_H
#define ZMMPLAY_ARCHIVE_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "zmmplay.h" /* <windows.h>, <mmsystem.h> */
#include "zmmio.h"

/*
 * Splits an mmio name as mmio and the procedure do: at the last '+', the
 * extension between the nearest '.' before it and the '+' picks the
 * procedure. Returns nonzero if that extension is "zmm" (any case), i.e.
 * mmio hands the name to zmmio's procedure; then *archive and *member
 * (member "" = the default member) are new malloc'd strings.
 */
int archive_split_name(const char *name, char **archive, char **member);

/* Nonzero if `path` ends in ".zmm" (any case): an archive named without
 * the '+' that makes mmio route it. */
int archive_has_zmm_extension(const char *path);

typedef struct archive_entry {
    char *name;
    uint64_t size;        /* logical bytes */
    uint64_t packed_size; /* stored bytes of its blocks */
    int is_default;       /* the member "archive.zmm+" opens */
} archive_entry;

typedef struct archive_list {
    archive_entry *entries;
    size_t count;
    uint64_t file_size;
} archive_list;

/* Reads the archive's directory (read-only: a player may have it open
 * through mmio meanwhile). Returns 0 or ZmmEnumMembers' error:
 * MMIOERR_FILENOTFOUND, MMIOERR_INVALIDFILE (not an archive),
 * MMIOERR_CANNOTREAD (damaged), MMSYSERR_NOTSUPPORTED (newer), ...;
 * MMSYSERR_NOTSUPPORTED too when the DLL is not loaded or lacks it. */
MMRESULT archive_read_list(const char *path, archive_list *list);
void archive_free_list(archive_list *list);

/* The entry named `member` ("" = the default member), or NULL. */
const archive_entry *archive_find_entry(const archive_list *list,
                                        const char *member);

/* "1.2 MB -> 402.1 KB (ratio 3.05:1, 67% saved)" */
void archive_describe_ratio(char *buf, size_t len, uint64_t size,
                            uint64_t packed_size);

/*
 * Checks every block of `member`: 0 if all are sound; otherwise the error,
 * and for MMIOERR_CANNOTREAD (damage) the first failing block's byte range
 * in *first_byte and *end_byte.
 */
MMRESULT archive_locate_damage(const char *path, const char *member,
                               uint64_t *first_byte, uint64_t *end_byte);

/* A short description of those errors ("damaged data", ...). */
const char *archive_error_text(MMRESULT err);

#endif
