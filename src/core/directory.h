/*
 * directory.h -- the in-memory directory: members, their block tables, and
 * their on-disk encoding (docs/FORMAT.md, "Directory").
 */
#ifndef ZMM_DIRECTORY_H
#define ZMM_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "zmm.h"

/* Block kinds. */
#define ZMM_KIND_ZERO 0
#define ZMM_KIND_RAW 1
#define ZMM_KIND_DEFLATE 2
#define ZMM_KIND_PCM 3 /* header + deflate of filtered bytes (filter_pcm.h) */
/* kind 3 whose channels may be coded from the previous one (order flags) */
#define ZMM_KIND_PCM_CHAN 4
/* the same header and planes, each channel with a linear predictor */
#define ZMM_KIND_PCM_LPC 5
/* kind 5 whose groups' planes go channel by channel */
#define ZMM_KIND_PCM_PLANAR 6

/* Nonzero for the kinds coded by the PCM filter (3 to 6). */
#define ZMM_KIND_IS_PCM(kind) \
    ((kind) >= ZMM_KIND_PCM && (kind) <= ZMM_KIND_PCM_PLANAR)

#define ZMM_MEMBER_RECORD_SIZE 20u
#define ZMM_BLOCK_ENTRY_SIZE 20u
#define ZMM_DIRECTORY_HEADER_SIZE 16u
#define ZMM_PCM_RECORD_SIZE 20u /* after the name, with ZMM_MEMBER_PCM */
/* After the PCM layout, with ZMM_MEMBER_DICT: u32 length, a block entry. */
#define ZMM_DICT_RECORD_SIZE (4u + ZMM_BLOCK_ENTRY_SIZE)

/* Where one block's stored bytes are and how to check them. */
typedef struct zmm_block_ref {
    uint64_t offset;
    uint32_t stored_size;
    uint32_t stored_crc;
    uint32_t logical_crc;
    unsigned char kind;
} zmm_block_ref;

typedef struct zmm_member {
    char *name;
    unsigned block_shift;
    int level;
    unsigned flags;            /* ZMM_MEMBER_* */
    /* The first block whose entry changed since the last commit, or
     * ZMM_UNCHANGED: a delta record (delta.c) gives the entries from there
     * on. Not stored; here it fills the padding before `length`. */
    uint32_t changed_from;
    uint64_t length;
    zmm_pcm_layout pcm;        /* valid when flags has ZMM_MEMBER_PCM */
    /* With ZMM_MEMBER_DICT: the preset dictionary's length (1..32 KiB) and
     * where it is stored, as a raw or deflate block of that length. */
    uint32_t dict_length;
    zmm_block_ref dict;
    /* Metadata (FORMAT.md, "Metadata"): ZMM_META_* present, the
     * modification time (seconds since 1970 UTC, nanoseconds) and the POSIX
     * mode bits. Kept in the state's metadata table, not the directory. */
    unsigned meta;
    uint32_t mtime_nsec;
    int64_t mtime;
    unsigned mode;
    uint32_t block_count;      /* always ceil(length / block size) */
    uint32_t block_capacity;
    zmm_block_ref *blocks;
    /* Open streams on this member (not stored). */
    unsigned readers;
    unsigned writers;
} zmm_member;

#define ZMM_UNCHANGED UINT32_MAX

typedef struct zmm_directory {
    zmm_member **members;
    uint32_t count;
    uint32_t capacity;
    uint64_t total_blocks;     /* over all members, against the size limit */
    /* A flat directory (zmm_directory_decode_flat): the one allocation
     * holding every member, block entry and name; NULL otherwise. */
    void *pool;
} zmm_directory;

/* Blocks an archive may hold in all: what fits in the directory limit. */
uint64_t zmm_directory_max_blocks(void);

/* The logical size of block `index` of `m`. */
uint32_t zmm_member_block_length(const zmm_member *m, uint32_t index);

/*
 * Decodes and validates an encoded directory. `data_end` is the directory's
 * own offset: every stored block must end at or before it.
 * ZMM_ERR_CORRUPT on any broken rule, ZMM_ERR_NOMEM.
 */
zmm_result zmm_directory_decode(const unsigned char *buf, size_t len,
                                uint64_t data_end, zmm_directory *dir);

/* As zmm_directory_decode(), into one allocation (members, block entries
 * and names in flat arrays) for a directory that is only read: no member
 * may be added, removed, renamed or resized in it. */
zmm_result zmm_directory_decode_flat(const unsigned char *buf, size_t len,
                                     uint64_t data_end, zmm_directory *dir);

/* Bytes zmm_directory_encode() will write; ZMM_ERR_LIMIT over the limit. */
zmm_result zmm_directory_encoded_size(const zmm_directory *dir, size_t *size);
void zmm_directory_encode(const zmm_directory *dir, unsigned char *out);

void zmm_directory_free(zmm_directory *dir);

/* Index of the member named `name` (NULL or "" = the default member), or -1. */
long zmm_directory_find(const zmm_directory *dir, const char *name);

/* Appends a new empty member (name already validated and unused). */
zmm_result zmm_directory_add(zmm_directory *dir, const char *name,
                             unsigned block_shift, int level,
                             zmm_member **out);

/* Removes and frees member `index`. */
void zmm_directory_remove(zmm_directory *dir, uint32_t index);

/*
 * Sets the member's length and resizes its block table: new blocks are zero
 * blocks, dropped ones are forgotten. ZMM_ERR_LIMIT, ZMM_ERR_NOMEM. The
 * caller keeps the blocks' contents consistent (the last block's tail).
 */
zmm_result zmm_member_resize(zmm_directory *dir, zmm_member *m,
                             uint64_t length);

/* Block `index` of m has a new entry (or will have, being past the end). */
void zmm_member_note_change(zmm_member *m, uint32_t index);

/* A block entry's 20 bytes (FORMAT.md, "Block entry"), and whether an entry
 * keeps the rules for a block of `logical` bytes in a state whose data ends
 * at `data_end`. */
void zmm_block_entry_decode(const unsigned char *p, zmm_block_ref *b);
void zmm_block_entry_encode(const zmm_block_ref *b, unsigned char *out);
int zmm_block_ref_sound(const zmm_block_ref *b, uint32_t logical,
                        uint64_t data_end);

/* Nonzero if any member has a PCM layout or a PCM block: the archive then
 * needs incompat feature ZMM_INCOMPAT_PCM. */
int zmm_directory_uses_pcm(const zmm_directory *dir);

/* Nonzero if any block is of `kind`: kind 4 needs incompat feature
 * ZMM_INCOMPAT_PCM_CHAN, kind 5 ZMM_INCOMPAT_PCM_LPC. */
int zmm_directory_uses_kind(const zmm_directory *dir, unsigned kind);

/* Nonzero if any member has a preset dictionary: the archive then needs
 * incompat feature ZMM_INCOMPAT_DICT. */
int zmm_directory_uses_dict(const zmm_directory *dir);

/* Sum of stored sizes of the member's blocks and dictionary. */
uint64_t zmm_member_packed_size(const zmm_member *m);

#endif
