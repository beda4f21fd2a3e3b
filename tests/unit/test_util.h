/*
 * test_util.h -- helpers shared by the core library's test programs.
 *
 * Every test is a small program: main() returns 0 on success; on failure a
 * CHECK prints file:line, what failed and the current context (seed, case,
 * operation: see tu_set_context) and the program exits with 1.
 * Only portable C here: the same programs run natively and under Wine.
 */
#ifndef ZMM_TEST_UTIL_H
#define ZMM_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "platform.h"
#include "zmm.h"

/* ---- failures ------------------------------------------------------------ */

#if defined(__GNUC__) || defined(__clang__)
#define TU_NORETURN __attribute__((noreturn))
#define TU_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TU_NORETURN
#define TU_PRINTF(f, a)
#endif

/* The test's name, printed with every failure (set by tu_init). */
extern const char *tu_test_name;

void tu_init(const char *test_name);

/* Called by tu_fail before it exits (e.g. to print recent operations). */
extern void (*tu_fail_hook)(void);

/* A description of what the test is doing now (seed, case, operation),
 * printed with any failure. printf-style; kept until changed. */
void tu_set_context(const char *fmt, ...) TU_PRINTF(1, 2);
const char *tu_context(void);

/* Prints "file:line: message" plus the context and exits with 1. */
TU_NORETURN void tu_fail(const char *file, int line, const char *fmt, ...)
    TU_PRINTF(3, 4);

/* The enumerator's name of a zmm_result ("ZMM_ERR_IO"), for messages. */
const char *tu_result_name(int result);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond))                                                         \
            tu_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);          \
    } while (0)

#define CHECKF(cond, ...)                                                    \
    do {                                                                     \
        if (!(cond))                                                         \
            tu_fail(__FILE__, __LINE__, __VA_ARGS__);                        \
    } while (0)

/* Evaluates a zmm call and requires `expected`. */
#define CHECK_RES(expr, expected)                                            \
    do {                                                                     \
        int tu_r_ = (int)(expr);                                             \
        int tu_e_ = (int)(expected);                                         \
        if (tu_r_ != tu_e_)                                                  \
            tu_fail(__FILE__, __LINE__, "%s returned %s (%s), expected %s",  \
                    #expr, tu_result_name(tu_r_), zmm_strerror(tu_r_),       \
                    tu_result_name(tu_e_));                                  \
    } while (0)

#define CHECK_OK(expr) CHECK_RES(expr, ZMM_OK)

#define CHECK_U64(a, b)                                                      \
    do {                                                                     \
        uint64_t tu_a_ = (uint64_t)(a), tu_b_ = (uint64_t)(b);               \
        if (tu_a_ != tu_b_)                                                  \
            tu_fail(__FILE__, __LINE__, "%s == %llu, expected %s == %llu",   \
                    #a, (unsigned long long)tu_a_, #b,                       \
                    (unsigned long long)tu_b_);                              \
    } while (0)

/* Requires n equal bytes; on mismatch reports the first differing offset. */
#define CHECK_MEM(got, want, n)                                              \
    tu_check_mem(__FILE__, __LINE__, (got), (want), (n), #got)
void tu_check_mem(const char *file, int line, const void *got,
                  const void *want, size_t n, const char *what);

/* malloc that fails the test instead of returning NULL. */
/* Allocation failures, through an allocator passed to the core
 * (zmm_set_allocator), as zlib's infcover.c fails zalloc: after `count`
 * more successful allocations, of any thread, every allocation fails;
 * negative: none fails (the default). The core behaves as it always does:
 * read-ahead workers run and allocate too. */
void tu_alloc_fail_after(long count);
/* Every allocation of a thread other than the caller's (read-ahead
 * workers) fails, until tu_alloc_fail_after(). */
void tu_alloc_fail_elsewhere(void);
/* Waits until an allocation of another thread has failed since
 * tu_alloc_fail_elsewhere() (a hang, caught by CTest's timeout, if none
 * ever does); returns how many have. */
unsigned long tu_alloc_wait_failed_elsewhere(void);

void *tu_xmalloc(size_t n);
void *tu_xcalloc(size_t n);
void *tu_xrealloc(void *p, size_t n);

/* ---- random numbers: xoshiro256** seeded by splitmix64 ------------------- */

typedef struct tu_rng {
    uint64_t s[4];
} tu_rng;

uint64_t tu_splitmix64(uint64_t *state);
void tu_rng_seed(tu_rng *r, uint64_t seed);
uint64_t tu_rng_next(tu_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t tu_rng_below(tu_rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
uint64_t tu_rng_range(tu_rng *r, uint64_t lo, uint64_t hi);
/* True with probability num/den. */
int tu_rng_chance(tu_rng *r, unsigned num, unsigned den);
void tu_rng_bytes(tu_rng *r, void *buf, size_t len);

/* Parses a seed ("123" or "0x7b"); returns 0 on a malformed string. */
int tu_parse_u64(const char *s, uint64_t *out);

/* ---- data generators ----------------------------------------------------- */

typedef enum tu_data_kind {
    TU_DATA_RANDOM, /* incompressible */
    TU_DATA_ZEROS,
    TU_DATA_TEXT,   /* English-like words, highly compressible */
    TU_DATA_MIXED,  /* runs of the three above, of random lengths */
    TU_DATA_KINDS
} tu_data_kind;

const char *tu_data_kind_name(tu_data_kind kind);
void tu_fill(tu_rng *r, tu_data_kind kind, unsigned char *buf, size_t len);

/* ---- files --------------------------------------------------------------- */

/* Reads a whole file with stdio; NULL if it cannot. */
unsigned char *tu_read_file(const char *path, size_t *len);
/* Writes a whole file with stdio; 0 on failure. */
int tu_write_file(const char *path, const void *data, size_t len);
/* Builds "<test>_<suffix>" in the working directory (the test's build dir,
 * set by add_test's WORKING_DIRECTORY) and removes any old file of that name. */
const char *tu_temp_path(char *buf, size_t size, const char *suffix);

/*
 * A zmm_file that forwards to `inner` but whose close() leaves `inner` open:
 * lets a test hand an archive a memfile (or a fault file) and still look at
 * its bytes, or reopen it, after the archive has closed it.
 */
zmm_file *tu_borrow_file(zmm_file *inner);

/* Copies a memfile's bytes into a new malloc'ed buffer. */
unsigned char *tu_memfile_copy(zmm_file *mem, size_t *len);

/* Opens an archive on a fresh memfile holding a copy of `data`. */
zmm_result tu_open_bytes(const void *data, size_t len, unsigned flags,
                         zmm_archive **out);

/* ---- an independent reader of the format (docs/FORMAT.md) ---------------- */

typedef struct tu_fmt_block {
    uint64_t offset;
    uint32_t stored_size;
    unsigned kind;
    uint32_t stored_crc;
    uint32_t logical_crc;
} tu_fmt_block;

typedef struct tu_fmt_member {
    char name[256];
    unsigned block_shift;
    unsigned level;
    uint32_t flags;
    uint64_t length;
    uint32_t block_count;
    tu_fmt_block *blocks;
    uint64_t record_offset; /* in the file */
    uint64_t entries_offset; /* of block entry 0, in the file */
    /* The PCM layout (flags bit 1), else zeros. */
    uint64_t pcm_offset, pcm_length;
    unsigned pcm_bits, pcm_channels;
    /* The preset dictionary (flags bit 2), else zeros. */
    uint32_t dict_length;
    tu_fmt_block dict;
    uint64_t dict_record_offset; /* of its u32 length, in the file */
    /* Its record of the metadata table (compat bit 0x1), else zeros. */
    unsigned meta; /* the record's flags: bit 0 mtime, bit 1 mode */
    int64_t mtime;
    uint32_t mtime_nsec;
    unsigned mode;
} tu_fmt_member;

typedef struct tu_fmt_archive {
    int slot;               /* the slot in use: 0 or 1 */
    uint32_t incompat_features; /* of that slot */
    uint32_t compat_features;
    uint64_t meta_offset;   /* the metadata table (compat bit 0x1), or 0 */
    uint32_t meta_length;
    uint64_t generation;
    uint64_t directory_offset;
    uint32_t directory_length;
    uint32_t member_count;
    tu_fmt_member *members;
    int slot_valid[2];
    uint64_t slot_generation[2];
} tu_fmt_archive;

/*
 * Parses and checks an archive's bytes by FORMAT.md alone (no library code):
 * slots, directory, every record and block entry, and, when `decode` is
 * nonzero, every block (CRCs, exact inflate, the writer's choice of kind).
 * Returns NULL on success, else a message naming the broken rule. Free the
 * result with tu_fmt_free() either way.
 */
const char *tu_fmt_parse(const unsigned char *file, size_t len, int decode,
                         tu_fmt_archive *out);
void tu_fmt_free(tu_fmt_archive *a);
/* Decodes a member's bytes (after a successful tu_fmt_parse); malloc'ed. */
unsigned char *tu_fmt_member_bytes(const unsigned char *file,
                                   const tu_fmt_member *m);
/* Decodes the stored bytes of a PCM block of kind 3, 4 or 5 into its n
 * logical bytes by FORMAT.md alone: 1, or 0 when a rule is broken. */
int tu_fmt_pcm_block(const unsigned char *stored, size_t size, unsigned kind,
                     unsigned char *out, size_t n);

/* ---- archive snapshots: what a committed state holds --------------------- */

typedef struct tu_member_image {
    char *name;
    unsigned char *data;
    size_t size;
    int is_default;
} tu_member_image;

typedef struct tu_image {
    size_t count;
    tu_member_image *members;
} tu_image;

/* Reads every member of an open archive into an image. Returns the first
 * error (and frees what it read). */
zmm_result tu_image_read(zmm_archive *ar, tu_image *img);
/* Sets/replaces a member of an image (copies name and data). */
void tu_image_put(tu_image *img, const char *name, const void *data,
                  size_t size, int is_default);
void tu_image_free(tu_image *img);
/* The member of img named `name`, or NULL. */
tu_member_image *tu_image_find(const tu_image *img, const char *name);
/* Nonzero when equal (names, order-insensitive; default flags; bytes). When
 * they differ and `why` is not NULL, a description goes there. */
int tu_image_equal(const tu_image *a, const tu_image *b, char *why,
                   size_t why_size);

/* Monotonic-enough seconds for progress lines (clock()). */
double tu_seconds(void);

#endif
