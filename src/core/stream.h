/*
 * stream.h -- a member stream's state, shared with the archive that flushes
 * its streams on commit and verifies members through one.
 */
#ifndef ZMM_STREAM_H
#define ZMM_STREAM_H

#include "archive.h"
#include "codec.h"
#include "encode_pool.h"
#include "block_cache.h"
#include "readahead.h"
#include "shared_cache.h"
#include "snapshot.h"

struct zmm_stream {
    /* A stream reads through `file`: its archive's (ar), or, on a shared
     * snapshot (snap, zmm_share), a file of its own that it closes. The
     * other of ar and snap is NULL. */
    zmm_archive *ar;
    zmm_snapshot *snap;
    zmm_file *file;
    /* With snap: the share's cache of decoded blocks (or NULL), and the
     * identity of `file` that keys its blocks there. */
    zmm_shared_cache *shared;
    zmm_file_id file_id;
    /* With snap: the share's read-ahead threads (NULL: a private one). */
    zmm_readahead_pool *pool;
    zmm_member *m;
    zmm_member snap_member; /* with snap: m points here */
    int writable;
    /* Bytes of each block buffer (stored, cache, read-ahead): the block
     * size, or for a read-only stream at most the member's length. */
    uint32_t buf_size;
    uint64_t pos;
    zmm_block_cache cache;
    zmm_codec *decoder;
    unsigned char *stored;       /* the inflating block's stored bytes */
    zmm_cache_entry *inflating;  /* whose inflate can resume, or NULL */
    unsigned char *dict;         /* the member's dictionary once loaded */
    uint32_t dict_len;
    /* Read-ahead (read-only streams): the worker, started on the first
     * forward run (NULL before, or if it cannot start); a buffer to swap
     * its blocks through; the last block that entered the cache or was
     * decoded straight out, and how many forward steps led to it (see
     * READAHEAD_START_RUN in stream.c). */
    int readahead_allowed;
    zmm_readahead *ra;
    unsigned char *ra_spare;
    uint32_t last_entered;
    unsigned forward_run;
    uint64_t read_start, read_end; /* the last read call's bytes */
    uint64_t ra_taken; /* blocks the worker decoded (tests look) */
    /* Writable streams: threads wanted for encoding (1: none), and the
     * pool, started when a flush or eviction first stores blocks. */
    unsigned threads;
    /* the highest PCM block kind its blocks are stored as (the option's
     * pcm_max_kind; ZMM_KIND_PCM_PLANAR by default) */
    unsigned pcm_max_kind;
    zmm_encode_pool *encoders;
};

/* Opens a read-only stream on member `index` of a shared snapshot, reading
 * through `file`. Takes over `file` and one reference to `snap` (both are
 * released on failure too). `shared` (or NULL) is the cache of decoded
 * blocks to use, for a file of identity `id`, and `pool` (or NULL) the
 * threads that read ahead; the stream takes its own reference to each.
 * `flags`: ZMM_STREAM_NO_READAHEAD or 0. */
zmm_result zmm_stream_open_snapshot(zmm_snapshot *snap, uint32_t index,
                                    zmm_file *file, zmm_shared_cache *shared,
                                    const zmm_file_id *id,
                                    zmm_readahead_pool *pool, unsigned flags,
                                    zmm_stream **out);

/* From stream_dict.c: the member's preset dictionary in s->dict (loaded and
 * checked on first use) and set as the decoder's; ZMM_OK without one. The
 * decoder's resumable inflate is lost. ZMM_ERR_CORRUPT if it is damaged. */
zmm_result zmm_stream_load_dictionary(zmm_stream *s);

/* Reads a block's (or dictionary's) stored bytes into buf, checking
 * stored_crc: ZMM_ERR_CORRUPT on a mismatch or a short file. */
zmm_result zmm_stream_read_stored(zmm_stream *s, const zmm_block_ref *ref,
                                  unsigned char *buf);

#endif
