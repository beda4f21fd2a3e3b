/*
 * source.h -- what the player plays: an mmio name opened as a wavefile,
 * and, for an archive member, what the core library says about the
 * archive (its members, their sizes: the compression ratio). Every failure
 * is explained here, once, for both the console and the window: which
 * file, and whether it is missing, damaged, not a WAVE or unsupported.
 */
#ifndef ZMMPLAY_SOURCE_H
#define ZMMPLAY_SOURCE_H

#include <stddef.h>

#include "archive_info.h"
#include "wavefile.h"

typedef enum source_error {
    SOURCE_OK = 0,
    SOURCE_NOT_FOUND,   /* no such file, archive or member */
    SOURCE_DAMAGED,     /* a damaged archive (or an unreadable file) */
    SOURCE_NOT_WAVE,    /* not a RIFF WAVE file */
    SOURCE_UNSUPPORTED, /* a format the player cannot play */
    SOURCE_OTHER        /* access denied, out of memory... */
} source_error;

typedef struct source {
    char *name;        /* the mmio name opened, e.g. "pack.zmm+a.wav" */
    char *archive;     /* "pack.zmm", or NULL for a plain file */
    char *member;      /* "a.wav"; for "pack.zmm+": the default's name */
    archive_list list; /* the archive's members (empty for a plain file) */
    int has_sizes;     /* size and packed_size are known */
    unsigned long long size, packed_size;
    wavefile wav;      /* open and parsed on SOURCE_OK */
} source;

/*
 * The name as mmio should get it: an archive path without '+' ("x.zmm")
 * gets one ("x.zmm+": its default member). A new malloc'd string.
 */
char *source_mmio_name(const char *name);

/*
 * Opens `name` (UTF-8, normalized with source_mmio_name) through mmio and
 * parses it. On failure fills `err` with a whole message naming the file
 * (and for archives the member, or the damaged block) and returns why.
 */
source_error source_open(source *s, const char *name, char *err,
                         size_t err_len);

/* "1.6 MB -> 1.2 MB (ratio 1.33:1, 25% saved)" for a member, or
 * "not compressed (a plain file)". */
void source_compression(const source *s, char *buf, size_t len);

/*
 * The message for a read that failed mid-play, from the engine's text:
 * for an archive member "damaged archive pack.zmm, member a.wav: ..." with
 * the failing block located by the core library.
 */
void source_read_failure(const source *s, const char *what, char *buf,
                         size_t len);

/* Closes the wavefile and frees everything (after player_close). */
void source_close(source *s);

#endif
