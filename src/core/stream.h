/*
 * stream.h -- a member stream's state, shared with the archive that flushes
 * its streams on commit and verifies members through one.
 */
#ifndef ZMM_STREAM_H
#define ZMM_STREAM_H

#include "archive.h"
#include "block_cache.h"

struct zmm_stream {
    zmm_archive *ar;
    zmm_member *m;
    int writable;
    uint64_t pos;
    zmm_block_cache cache;
    zmm_codec *decoder;
    unsigned char *stored;       /* the inflating block's stored bytes */
    zmm_cache_entry *inflating;  /* whose inflate can resume, or NULL */
    zmm_stream *next;
};

#endif
