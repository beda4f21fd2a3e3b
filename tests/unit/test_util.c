/* test_util.c -- helpers shared by the core library's test programs. */
#include "test_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "../splitmix64.h"
#include "alloc.h"
#include "thread.h"

const char *tu_test_name = "test";
static char context[512];
void (*tu_fail_hook)(void);

void tu_init(const char *test_name)
{
    tu_test_name = test_name;
    context[0] = '\0';
    /* Unbuffered, so that progress lines and failures interleave in order
     * (and survive an abort under a sanitizer). */
    setvbuf(stdout, NULL, _IONBF, 0);
}

void tu_set_context(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(context, sizeof context, fmt, ap);
    va_end(ap);
}

const char *tu_context(void)
{
    return context;
}

void tu_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s:%d: %s: FAIL: ", file, line, tu_test_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (context[0])
        fprintf(stderr, "  while: %s\n", context);
    if (tu_fail_hook) {
        void (*hook)(void) = tu_fail_hook;
        tu_fail_hook = NULL;
        hook();
    }
    fflush(stderr);
    exit(1);
}

const char *tu_result_name(int result)
{
    static const char *const names[] = {
        "ZMM_OK", "ZMM_ERR_NOMEM", "ZMM_ERR_IO", "ZMM_ERR_NOT_FOUND",
        "ZMM_ERR_EXISTS", "ZMM_ERR_NOT_ARCHIVE", "ZMM_ERR_CORRUPT",
        "ZMM_ERR_UNSUPPORTED", "ZMM_ERR_INVALID_ARG", "ZMM_ERR_READ_ONLY",
        "ZMM_ERR_ACCESS", "ZMM_ERR_SHARING", "ZMM_ERR_LIMIT", "ZMM_ERR_BUSY",
        "ZMM_ERR_BAD_NAME", "ZMM_ERR_STATE", "ZMM_ERR_CANCELLED"};
    if (result >= 0 && (size_t)result < sizeof names / sizeof names[0])
        return names[result];
    return "(unknown result)";
}

void tu_check_mem(const char *file, int line, const void *got,
                  const void *want, size_t n, const char *what)
{
    const unsigned char *g = got, *w = want;
    size_t i;
    if (n == 0 || memcmp(g, w, n) == 0)
        return;
    for (i = 0; i < n && g[i] == w[i]; i++)
        ;
    tu_fail(file, line,
            "%s differs at byte %llu of %llu: got 0x%02x, expected 0x%02x",
            what, (unsigned long long)i, (unsigned long long)n, g[i], w[i]);
}

void *tu_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        tu_fail(__FILE__, __LINE__, "out of memory (%llu bytes)",
                (unsigned long long)n);
    return p;
}

void *tu_xcalloc(size_t n)
{
    void *p = calloc(n ? n : 1, 1);
    if (!p)
        tu_fail(__FILE__, __LINE__, "out of memory (%llu bytes)",
                (unsigned long long)n);
    return p;
}

void *tu_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        tu_fail(__FILE__, __LINE__, "out of memory (%llu bytes)",
                (unsigned long long)n);
    return q;
}

/* ---- random numbers ------------------------------------------------------ */

uint64_t tu_splitmix64(uint64_t *state)
{
    return splitmix64(state);
}

void tu_rng_seed(tu_rng *r, uint64_t seed)
{
    int i;
    for (i = 0; i < 4; i++)
        r->s[i] = tu_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t tu_rng_next(tu_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t tu_rng_below(tu_rng *r, uint64_t n)
{
    /* Lemire-free simple rejection: unbiased and fast enough for tests. */
    uint64_t limit, x;
    if (n <= 1)
        return 0;
    limit = UINT64_MAX - UINT64_MAX % n;
    do
        x = tu_rng_next(r);
    while (x >= limit);
    return x % n;
}

uint64_t tu_rng_range(tu_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + tu_rng_below(r, hi - lo + 1);
}

int tu_rng_chance(tu_rng *r, unsigned num, unsigned den)
{
    return tu_rng_below(r, den) < num;
}

void tu_rng_bytes(tu_rng *r, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len >= 8) {
        uint64_t x = tu_rng_next(r);
        memcpy(p, &x, 8);
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t x = tu_rng_next(r);
        memcpy(p, &x, len);
    }
}

int tu_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-')
        return 0;
    v = strtoull(s, &end, 0);
    if (*end)
        return 0;
    *out = v;
    return 1;
}

/* ---- data generators ----------------------------------------------------- */

const char *tu_data_kind_name(tu_data_kind kind)
{
    switch (kind) {
    case TU_DATA_RANDOM: return "random";
    case TU_DATA_ZEROS: return "zeros";
    case TU_DATA_TEXT: return "text";
    case TU_DATA_MIXED: return "mixed";
    default: return "?";
    }
}

static const char *const words[] = {
    "the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he",
    "was", "for", "on", "are", "as", "with", "his", "they", "at", "be",
    "this", "have", "from", "or", "one", "had", "by", "word", "but", "not",
    "what", "all", "were", "we", "when", "your", "can", "said", "there",
    "archive", "member", "block", "stream", "commit", "header", "slot",
    "directory", "deflate", "sample", "audio", "wave", "chunk", "buffer",
    "offset", "length", "compressed", "seek", "read", "write", "format"};

static void fill_text(tu_rng *r, unsigned char *buf, size_t len)
{
    size_t i = 0, col = 0;
    while (i < len) {
        const char *w = words[tu_rng_below(r, sizeof words / sizeof words[0])];
        size_t n = strlen(w);
        int sep;
        if (col == 0 && n && i < len) {
            /* Sentence case now and then. */
            if (tu_rng_chance(r, 1, 4) && w[0] >= 'a' && w[0] <= 'z') {
                buf[i++] = (unsigned char)(w[0] - 'a' + 'A');
                w++;
                n--;
                col++;
            }
        }
        while (n && i < len) {
            buf[i++] = (unsigned char)*w++;
            n--;
            col++;
        }
        if (i >= len)
            break;
        sep = (int)tu_rng_below(r, 16);
        if (col > 64) {
            buf[i++] = '\n';
            col = 0;
        } else if (sep == 0) {
            buf[i++] = ',';
            col++;
        } else if (sep == 1) {
            buf[i++] = '.';
            col++;
        } else {
            buf[i++] = ' ';
            col++;
        }
    }
}

void tu_fill(tu_rng *r, tu_data_kind kind, unsigned char *buf, size_t len)
{
    size_t i = 0;
    switch (kind) {
    case TU_DATA_RANDOM:
        tu_rng_bytes(r, buf, len);
        break;
    case TU_DATA_ZEROS:
        memset(buf, 0, len);
        break;
    case TU_DATA_TEXT:
        fill_text(r, buf, len);
        break;
    case TU_DATA_MIXED:
    default:
        while (i < len) {
            /* Runs from a few bytes to more than a 64 KiB block, so that
             * zero, raw and deflate blocks all occur at every block size. */
            size_t run = (size_t)(tu_rng_chance(r, 1, 8)
                                      ? tu_rng_range(r, 4096, 140000)
                                      : tu_rng_range(r, 1, 6000));
            tu_data_kind k = (tu_data_kind)tu_rng_below(r, 3);
            if (run > len - i)
                run = len - i;
            tu_fill(r, k, buf + i, run);
            i += run;
        }
        break;
    }
}

/* ---- files --------------------------------------------------------------- */

unsigned char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = tu_xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

int tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return 0;
    ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    return ok;
}

const char *tu_temp_path(char *buf, size_t size, const char *suffix)
{
    snprintf(buf, size, "%s_%s", tu_test_name, suffix);
    remove(buf);
    return buf;
}

typedef struct borrowed_file {
    zmm_file base;
    zmm_file *inner;
} borrowed_file;

static zmm_result borrowed_read_at(zmm_file *f, uint64_t offset, void *buf,
                                   size_t len)
{
    borrowed_file *b = (borrowed_file *)f;
    zmm_result r = b->inner->methods->read_at(b->inner, offset, buf, len);
    f->os_error = b->inner->os_error;
    return r;
}

static zmm_result borrowed_write_at(zmm_file *f, uint64_t offset,
                                    const void *buf, size_t len)
{
    borrowed_file *b = (borrowed_file *)f;
    zmm_result r = b->inner->methods->write_at(b->inner, offset, buf, len);
    f->os_error = b->inner->os_error;
    return r;
}

static zmm_result borrowed_size(zmm_file *f, uint64_t *size)
{
    borrowed_file *b = (borrowed_file *)f;
    zmm_result r = b->inner->methods->size(b->inner, size);
    f->os_error = b->inner->os_error;
    return r;
}

static zmm_result borrowed_truncate(zmm_file *f, uint64_t size)
{
    borrowed_file *b = (borrowed_file *)f;
    zmm_result r = b->inner->methods->truncate(b->inner, size);
    f->os_error = b->inner->os_error;
    return r;
}

static zmm_result borrowed_sync(zmm_file *f)
{
    borrowed_file *b = (borrowed_file *)f;
    zmm_result r = b->inner->methods->sync(b->inner);
    f->os_error = b->inner->os_error;
    return r;
}

/* Forwards to the inner file's read_shared; one without it fails every
 * such read, which read-ahead only takes as "decode it yourself". */
static zmm_result borrowed_read_shared(zmm_file *f, uint64_t offset,
                                       void *buf, size_t len)
{
    zmm_file *inner = ((borrowed_file *)f)->inner;

    if (inner->methods->read_shared == NULL)
        return ZMM_ERR_IO;
    return inner->methods->read_shared(inner, offset, buf, len);
}

static zmm_result borrowed_close(zmm_file *f)
{
    free(f);
    return ZMM_OK;
}

static const zmm_file_methods borrowed_methods = {
    borrowed_read_at, borrowed_write_at, borrowed_size,
    borrowed_truncate, borrowed_sync, borrowed_close,
    borrowed_read_shared, NULL};

zmm_file *tu_borrow_file(zmm_file *inner)
{
    borrowed_file *b = tu_xcalloc(sizeof *b);
    b->base.methods = &borrowed_methods;
    b->inner = inner;
    return &b->base;
}

unsigned char *tu_memfile_copy(zmm_file *mem, size_t *len)
{
    size_t n = 0;
    const unsigned char *d = zmm_memfile_data(mem, &n);
    unsigned char *copy = tu_xmalloc(n);
    if (n)
        memcpy(copy, d, n);
    *len = n;
    return copy;
}

#include "archive_file.h"

zmm_result tu_open_bytes(const void *data, size_t len, unsigned flags,
                         zmm_archive **out)
{
    zmm_file *f = zmm_memfile_new(data, len);
    CHECKF(f != NULL, "zmm_memfile_new(%llu bytes) failed",
           (unsigned long long)len);
    return zmm_archive_open_file(f, flags, out);
}

/* ---- an independent reader of the format --------------------------------- */

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

static uint32_t crc(const unsigned char *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;
        c = crc32(c, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)c;
}

static const unsigned char slot_magic[8] = {0x89, 'Z', 'M', 'M',
                                            0x0d, 0x0a, 0x1a, 0x0a};

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int inflate_exact(const unsigned char *in, size_t in_len,
                         unsigned char *out, size_t out_len,
                         const unsigned char *dict, size_t dict_len);

/* Sample value `v` wrapped to `bits` bits, as FORMAT.md says: modulo
 * 2^bits into [-2^(bits-1), 2^(bits-1)). */
static int64_t pcm_wrap(int64_t v, unsigned bits)
{
    int64_t mod = (int64_t)((uint64_t)1 << bits);
    v %= mod;
    if (v < 0)
        v += mod;
    return v >= mod / 2 ? v - mod : v;
}

/* The sample already written at `p` (8-bit samples are byte - 128). */
static int64_t pcm_sample(const unsigned char *p, unsigned bits)
{
    uint64_t u = 0;
    unsigned q;
    for (q = 0; q < bits / 8; q++)
        u |= (uint64_t)p[q] << (8 * q);
    return bits == 8 ? (int64_t)u - 128 : pcm_wrap((int64_t)u, bits);
}

/* Decodes a kind-3 to 6 (PCM) block by FORMAT.md's "PCM blocks" alone:
 * the header, one deflate stream of verbatim bytes and residual planes laid
 * out per group of G frames, then each sample from the samples already
 * written to `out`. In kinds 4 to 6, a channel whose order byte (kinds 5
 * and 6: mode byte) has bit 7 is predicted from its differences from the
 * previous channel ("Inter-channel prediction"); in kinds 5 and 6 each
 * channel has a predictor record: an order 0..32, a shift and 16-bit
 * coefficients ("Linear prediction"); in kind 6 a group's planes hold its
 * residuals channel by channel ("Planes channel by channel"). 1 on
 * success. */
static int pcm_decode(const unsigned char *st, size_t size, unsigned char *out,
                      size_t n, unsigned kind)
{
    unsigned bits, ch, bytes, c, q;
    unsigned mode[32], shift[32];
    int64_t coef[32][33];
    uint64_t first, frames, group, body, f;
    size_t hs;
    unsigned char *content;
    int ok, lpc = kind == 5 || kind == 6;

    if (size < 12)
        return 0;
    bits = st[0];
    ch = st[1];
    group = le16(st + 2);
    first = le32(st + 4);
    frames = le32(st + 8);
    if ((bits != 8 && bits != 16 && bits != 24 && bits != 32) || ch < 1 ||
        ch > 32 || group < 1 || 12 + ch >= size || frames < 1)
        return 0;
    hs = 12;
    for (c = 0; c < ch; c++) {
        if (hs >= size)
            return 0;
        mode[c] = st[hs++];
        shift[c] = 0;
        if (lpc) {
            /* bits 0-5 the order (0..32), bit 6 zero, bit 7 not on
             * channel 0; with an order: the shift, then the coefficients */
            unsigned p = mode[c] & 0x3fu, k;
            if ((mode[c] & 0x40u) || p > 32 || (c == 0 && (mode[c] & 0x80u)))
                return 0;
            if (p > 0) {
                if (size - hs < 1 + 2 * (size_t)p)
                    return 0;
                shift[c] = st[hs++];
                if (shift[c] > 31)
                    return 0;
                for (k = 1; k <= p; k++, hs += 2)
                    coef[c][k] = (int16_t)le16(st + hs);
            }
        } else if ((mode[c] & ~(kind == 4 && c > 0 ? 0x83u : 0x03u)) != 0) {
            /* bits 0-1 the order; bit 7 only in kind 4, not on channel 0 */
            return 0;
        }
    }
    if (hs >= size) /* a byte of stream at least */
        return 0;
    bytes = bits / 8;
    body = frames * ch * bytes;
    if (first > n || body > n - first)
        return 0;
    content = tu_xmalloc(n + 1);
    ok = inflate_exact(st + hs, size - hs, content, n, NULL, 0);
    if (ok) {
        memcpy(out, content, (size_t)first);
        memcpy(out + first + body, content + first + body,
               (size_t)(n - first - body));
        for (f = 0; f < frames; f++)
            for (c = 0; c < ch; c++) {
                /* frame f is frame f - g0 of group f / G, whose planes of
                 * `count` bytes each start where its frames' bytes would */
                uint64_t g0 = f / group * group;
                uint64_t gframes = frames - g0 < group ? frames - g0 : group;
                uint64_t count = gframes * ch;
                const unsigned char *planes =
                    content + first + g0 * ch * bytes;
                uint64_t idx = f * ch + c, z = 0;
                /* the residual's place in each plane: frame then channel,
                 * or (kind 6) channel then frame */
                uint64_t j = kind == 6 ? c * gframes + (f - g0)
                                       : (f - g0) * ch + c;
                unsigned char *at = out + first + idx * bytes;
                unsigned order = lpc ? mode[c] & 0x3fu : mode[c] & 3u;
                int diff = (mode[c] & 0x80u) != 0;
                int64_t prev[33], res, pred, v;
                unsigned k;
                for (q = 0; q < bytes; q++)
                    z |= (uint64_t)planes[q * count + j] << (8 * q);
                res = (z & 1) ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1);
                /* the values 1..order frames back, already decoded (the
                 * previous group's too: prediction carries across groups);
                 * with the flag, their differences from channel c - 1's.
                 * Kinds 5 and 6: 0 before the block's first frame; kinds 3
                 * and 4: a lower order instead */
                if (!lpc && order > f)
                    order = (unsigned)f;
                for (k = 1; k <= order; k++) {
                    const unsigned char *p;
                    prev[k] = 0;
                    if (k > f)
                        continue;
                    p = at - k * ch * bytes;
                    prev[k] = pcm_sample(p, bits);
                    if (diff)
                        prev[k] = pcm_wrap(prev[k] - pcm_sample(p - bytes,
                                                                bits),
                                           bits);
                }
                if (lpc) {
                    /* the sum is under 2^51: exact in 64 bits; floor
                     * division by 2^shift, by arithmetic on magnitudes */
                    int64_t sum = 0, d = (int64_t)1 << shift[c];
                    for (k = 1; k <= order; k++)
                        sum += coef[c][k] * prev[k];
                    pred = sum >= 0 ? sum / d : -((-sum + d - 1) / d);
                } else {
                    pred = order == 0   ? 0
                           : order == 1 ? prev[1]
                           : order == 2 ? 2 * prev[1] - prev[2]
                                        : 3 * prev[1] - 3 * prev[2] + prev[3];
                }
                v = pcm_wrap(pred + res, bits);
                if (diff) /* channel c - 1 of this frame is decoded */
                    v = pcm_wrap(v + pcm_sample(at - bytes, bits), bits);
                if (bits == 8)
                    v += 128;
                for (q = 0; q < bytes; q++)
                    at[q] = (unsigned char)((uint64_t)v >> (8 * q));
            }
    }
    free(content);
    return ok;
}

/* Inflates a raw deflate stream that must end after exactly `in_len` input
 * and `out_len` output bytes, preset with `dict` unless NULL (a member's
 * preset dictionary: as if its bytes preceded the output). 1 on success. */
static int inflate_exact(const unsigned char *in, size_t in_len,
                         unsigned char *out, size_t out_len,
                         const unsigned char *dict, size_t dict_len)
{
    z_stream zs;
    int ret, ok;
    unsigned char extra;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return 0;
    if (dict != NULL &&
        inflateSetDictionary(&zs, dict, (uInt)dict_len) != Z_OK) {
        inflateEnd(&zs);
        return 0;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out;
    zs.avail_out = (uInt)out_len;
    ret = inflate(&zs, Z_FINISH);
    ok = ret == Z_STREAM_END && zs.avail_in == 0 && zs.avail_out == 0;
    if (ret == Z_BUF_ERROR && zs.avail_out == 0) {
        /* More output than n_i: see whether the stream goes on. */
        zs.next_out = &extra;
        zs.avail_out = 1;
        ret = inflate(&zs, Z_FINISH);
        ok = 0;
    }
    inflateEnd(&zs);
    return ok;
}

static char fmt_msg[256];

#define FMT_FAIL(...)                                                        \
    do {                                                                     \
        snprintf(fmt_msg, sizeof fmt_msg, __VA_ARGS__);                      \
        return fmt_msg;                                                      \
    } while (0)

static const char *parse_slot(const unsigned char *s, int *valid,
                              uint64_t *generation)
{
    *valid = 0;
    *generation = 0;
    if (all_zero(s, 64))
        return NULL; /* empty */
    if (memcmp(s, slot_magic, 8) != 0)
        FMT_FAIL("bad magic");
    if (le32(s + 60) != crc(s, 60))
        FMT_FAIL("slot_crc mismatch");
    if (le16(s + 8) != 1)
        FMT_FAIL("format_version %u", le16(s + 8));
    if (le16(s + 10) != 64)
        FMT_FAIL("slot_size %u", le16(s + 10));
    /* bit 0: PCM; bit 1: dictionaries; bit 2: a delta record; bit 3: PCM
     * blocks of kind 4; bit 4: of kind 5; bit 5: of kind 6 */
    if ((le32(s + 12) & ~0x3fu) != 0)
        FMT_FAIL("incompat_features 0x%x", (unsigned)le32(s + 12));
    /* bit 0: a metadata table; a writer clears the bits it does not
     * know, so a writer of this version writes no other */
    if ((le32(s + 16) & ~0x1u) != 0)
        FMT_FAIL("compat_features 0x%x (a writer clears unknown bits)",
                 (unsigned)le32(s + 16));
    if (le32(s + 20) != 0)
        FMT_FAIL("reserved at 20 not zero");
    if (le64(s + 24) < 1)
        FMT_FAIL("generation 0");
    if (le64(s + 32) < 8192)
        FMT_FAIL("directory_offset %llu < 8192",
                 (unsigned long long)le64(s + 32));
    if (le32(s + 40) < 16 || le32(s + 40) > 64u * 1024 * 1024)
        FMT_FAIL("directory_length %u", (unsigned)le32(s + 40));
    /* meta_offset and meta_length with compat bit 0x1, else reserved */
    if (!(le32(s + 16) & 1u) && !all_zero(s + 48, 12))
        FMT_FAIL("reserved at 48 not zero");
    *valid = 1;
    *generation = le64(s + 24);
    return NULL;
}

/* A member's preset dictionary (its dict_length bytes) into out: checks
 * stored_crc, inflates a kind-2 one without a dictionary, checks
 * logical_crc. 1 on success. */
static int fmt_dict(const unsigned char *file, const tu_fmt_member *m,
                    unsigned char *out)
{
    const tu_fmt_block *b = &m->dict;
    const unsigned char *stored = file + b->offset;
    if (crc(stored, b->stored_size) != b->stored_crc)
        return 0;
    if (b->kind == 1)
        memcpy(out, stored, m->dict_length);
    else if (!inflate_exact(stored, b->stored_size, out, m->dict_length,
                            NULL, 0))
        return 0;
    return crc(out, m->dict_length) == b->logical_crc;
}

/* The metadata table of FORMAT.md, "Metadata": the slot's fields, the
 * header, every record, into a's members. */
static const char *fmt_meta(const unsigned char *file, const unsigned char *s,
                            tu_fmt_archive *a)
{
    const unsigned char *t, *r;
    uint32_t i, rsize;
    unsigned any = 0;

    a->meta_offset = le64(s + 48);
    a->meta_length = le32(s + 56);
    if (a->meta_offset < 8192 || a->meta_length < 16 ||
        a->meta_length > 64u * 1024 * 1024 ||
        a->meta_offset + a->meta_length > a->directory_offset)
        FMT_FAIL("metadata table [%llu, +%u) outside the data area before "
                 "the directory", (unsigned long long)a->meta_offset,
                 (unsigned)a->meta_length);
    t = file + a->meta_offset;
    rsize = le32(t + 8);
    if (memcmp(t, "ZMET", 4) != 0)
        FMT_FAIL("metadata table: bad magic");
    if (le32(t + 4) != a->member_count)
        FMT_FAIL("metadata table: %u records for %u members",
                 (unsigned)le32(t + 4), (unsigned)a->member_count);
    if (rsize < 16 || rsize > 1024 ||
        16 + (uint64_t)rsize * a->member_count != a->meta_length)
        FMT_FAIL("metadata table: record_size %u, length %u",
                 (unsigned)rsize, (unsigned)a->meta_length);
    if (le32(t + 12) != crc(t + 16, a->meta_length - 16))
        FMT_FAIL("metadata table: records_crc mismatch");
    for (i = 0, r = t + 16; i < a->member_count; i++, r += rsize) {
        tu_fmt_member *m = &a->members[i];

        m->mtime = (int64_t)le64(r);
        m->mtime_nsec = le32(r + 8);
        m->mode = le16(r + 12);
        m->meta = le16(r + 14);
        if (m->meta & ~3u)
            FMT_FAIL("metadata record %u: flags 0x%x", (unsigned)i, m->meta);
        if (m->mtime_nsec > 999999999u ||
            (!(m->meta & 1u) && (m->mtime != 0 || m->mtime_nsec != 0)))
            FMT_FAIL("metadata record %u: mtime", (unsigned)i);
        if (m->mode > 07777u || (!(m->meta & 2u) && m->mode != 0))
            FMT_FAIL("metadata record %u: mode 0%o", (unsigned)i, m->mode);
        any |= m->meta;
    }
    if (!any) /* writers set the bit exactly when it applies */
        FMT_FAIL("compat bit 0x1 but no member has metadata");
    return NULL;
}

const char *tu_fmt_parse(const unsigned char *file, size_t len, int decode,
                         tu_fmt_archive *a)
{
    const unsigned char *s, *d;
    const char *err;
    uint64_t pos, end;
    uint32_t i, j, k;
    int defaults = 0;
    unsigned char *tmp = NULL;

    memset(a, 0, sizeof *a);
    if (len < 8192)
        FMT_FAIL("file of %llu bytes is shorter than the 8192-byte header",
                 (unsigned long long)len);
    for (i = 0; i < 2; i++) {
        err = parse_slot(file + 4096 * i, &a->slot_valid[i],
                         &a->slot_generation[i]);
        if (err) {
            char why[64];
            snprintf(why, sizeof why, "%.60s", err);
            FMT_FAIL("slot %u: %s", (unsigned)i, why);
        }
        if (!all_zero(file + 4096 * i + 64, 4096 - 64))
            FMT_FAIL("slot %u: padding after the 64 bytes is not zero",
                     (unsigned)i);
    }
    if (!a->slot_valid[0] && !a->slot_valid[1])
        FMT_FAIL("no valid slot");
    if (a->slot_valid[0] && a->slot_valid[1] &&
        a->slot_generation[0] == a->slot_generation[1])
        FMT_FAIL("both slots hold generation %llu",
                 (unsigned long long)a->slot_generation[0]);
    a->slot = (!a->slot_valid[0] ||
               (a->slot_valid[1] &&
                a->slot_generation[1] > a->slot_generation[0]))
                  ? 1
                  : 0;
    s = file + 4096 * a->slot;
    a->incompat_features = le32(s + 12);
    /* The older slot may point at a checkpoint's delta record; the state
     * this decoder reads is a whole directory (what a close leaves). */
    if (a->incompat_features & 4u)
        FMT_FAIL("the committed state is a delta record (this decoder reads "
                 "whole directories only)");
    a->generation = le64(s + 24);
    a->directory_offset = le64(s + 32);
    a->directory_length = le32(s + 40);
    if (a->directory_offset > len || len - a->directory_offset <
                                          a->directory_length)
        FMT_FAIL("directory [%llu, +%u) past the end of the file (%llu)",
                 (unsigned long long)a->directory_offset,
                 (unsigned)a->directory_length, (unsigned long long)len);
    d = file + a->directory_offset;
    if (crc(d, a->directory_length) != le32(s + 44))
        FMT_FAIL("directory_crc mismatch");
    if (memcmp(d, "ZDIR", 4) != 0)
        FMT_FAIL("directory: bad magic");
    a->member_count = le32(d + 4);
    if (a->member_count > 65535)
        FMT_FAIL("directory: member_count %u", (unsigned)a->member_count);
    if (le32(d + 8) != 0 || le32(d + 12) != 0)
        FMT_FAIL("directory: flags/reserved not zero");
    a->members = tu_xcalloc((size_t)a->member_count * sizeof *a->members + 1);
    pos = 16;
    end = a->directory_length;
    for (i = 0; i < a->member_count; i++) {
        tu_fmt_member *m = &a->members[i];
        const unsigned char *r;
        uint64_t bs, want_blocks;
        if (end - pos < 20)
            FMT_FAIL("member %u: record header past the directory's end",
                     (unsigned)i);
        r = d + pos;
        m->record_offset = a->directory_offset + pos;
        if (le16(r) < 1 || le16(r) > 255)
            FMT_FAIL("member %u: name_length %u", (unsigned)i, le16(r));
        m->block_shift = r[2];
        m->level = r[3];
        m->flags = le32(r + 4);
        m->length = le64(r + 8);
        m->block_count = le32(r + 16);
        if (m->block_shift < 12 || m->block_shift > 20)
            FMT_FAIL("member %u: block_shift %u", (unsigned)i,
                     m->block_shift);
        if (m->level > 9)
            FMT_FAIL("member %u: level %u", (unsigned)i, m->level);
        if (m->flags & ~7u)
            FMT_FAIL("member %u: flags 0x%x", (unsigned)i,
                     (unsigned)m->flags);
        if (m->flags & 1u)
            defaults++;
        bs = (uint64_t)1 << m->block_shift;
        want_blocks = m->length / bs + (m->length % bs != 0);
        if (want_blocks != m->block_count)
            FMT_FAIL("member %u: block_count %u for length %llu", (unsigned)i,
                     (unsigned)m->block_count, (unsigned long long)m->length);
        pos += 20;
        if (end - pos < le16(r))
            FMT_FAIL("member %u: name past the directory's end", (unsigned)i);
        memcpy(m->name, d + pos, le16(r));
        m->name[le16(r)] = '\0';
        for (j = 0; j < le16(r); j++)
            if ((unsigned char)m->name[j] < 0x20 ||
                (unsigned char)m->name[j] == 0x7f)
                FMT_FAIL("member %u: control byte in the name", (unsigned)i);
        for (j = 0; j < i; j++)
            if (strcmp(a->members[j].name, m->name) == 0)
                FMT_FAIL("member %u: duplicate name \"%.64s\"", (unsigned)i,
                         m->name);
        pos += le16(r);
        if (m->flags & 2u) { /* the PCM layout record */
            const unsigned char *q = d + pos;
            if (end - pos < 20)
                FMT_FAIL("member %u: PCM record past the directory's end",
                         (unsigned)i);
            m->pcm_offset = le64(q);
            m->pcm_length = le64(q + 8);
            m->pcm_bits = q[16];
            m->pcm_channels = q[17];
            if ((m->pcm_bits != 8 && m->pcm_bits != 16 && m->pcm_bits != 24 &&
                 m->pcm_bits != 32) ||
                m->pcm_channels < 1 || m->pcm_channels > 32 ||
                le16(q + 18) != 0 || m->pcm_offset > (uint64_t)INT64_MAX ||
                m->pcm_length > (uint64_t)INT64_MAX - m->pcm_offset)
                FMT_FAIL("member %u: bad PCM record", (unsigned)i);
            if (!(le32(s + 12) & 1u))
                FMT_FAIL("member %u: PCM layout without incompat bit 0x1",
                         (unsigned)i);
            pos += 20;
        }
        if (m->flags & 4u) { /* the dictionary record: u32, block entry */
            const unsigned char *q = d + pos;
            tu_fmt_block *b = &m->dict;
            if (end - pos < 24)
                FMT_FAIL("member %u: dictionary record past the directory's "
                         "end", (unsigned)i);
            m->dict_record_offset = a->directory_offset + pos;
            m->dict_length = le32(q);
            b->offset = le64(q + 4);
            b->stored_size = le32(q + 12) & 0xFFFFFFu;
            b->kind = le32(q + 12) >> 24;
            b->stored_crc = le32(q + 16);
            b->logical_crc = le32(q + 20);
            if (m->dict_length < 1 || m->dict_length > 32768)
                FMT_FAIL("member %u: dict_length %u", (unsigned)i,
                         (unsigned)m->dict_length);
            if (!(b->kind == 1 && b->stored_size == m->dict_length &&
                  b->stored_crc == b->logical_crc) &&
                !(b->kind == 2 && b->stored_size >= 1 &&
                  b->stored_size < m->dict_length))
                FMT_FAIL("member %u: dictionary of kind %u, size %u",
                         (unsigned)i, b->kind, (unsigned)b->stored_size);
            if (b->offset < 8192 ||
                b->offset + b->stored_size > a->directory_offset)
                FMT_FAIL("member %u: dictionary outside the data area",
                         (unsigned)i);
            if (!(le32(s + 12) & 2u))
                FMT_FAIL("member %u: dictionary without incompat bit 0x2",
                         (unsigned)i);
            pos += 24;
        }
        m->entries_offset = a->directory_offset + pos;
        if ((end - pos) / 20 < m->block_count)
            FMT_FAIL("member %u: block table past the directory's end",
                     (unsigned)i);
        m->blocks = tu_xcalloc((size_t)m->block_count * sizeof *m->blocks);
        for (j = 0; j < m->block_count; j++) {
            const unsigned char *e = d + pos + 20 * (uint64_t)j;
            tu_fmt_block *b = &m->blocks[j];
            uint64_t n_i = (j + 1 < m->block_count) ? bs
                                                    : m->length - j * bs;
            b->offset = le64(e);
            b->stored_size = le32(e + 8) & 0xFFFFFFu;
            b->kind = le32(e + 8) >> 24;
            b->stored_crc = le32(e + 12);
            b->logical_crc = le32(e + 16);
            switch (b->kind) {
            case 0:
                if (b->offset || b->stored_size || b->stored_crc ||
                    b->logical_crc)
                    FMT_FAIL("member %u block %u: zero block with nonzero "
                             "fields", (unsigned)i, (unsigned)j);
                break;
            case 1:
                if (b->stored_size != n_i)
                    FMT_FAIL("member %u block %u: raw size %u != n_i %llu",
                             (unsigned)i, (unsigned)j,
                             (unsigned)b->stored_size,
                             (unsigned long long)n_i);
                if (b->stored_crc != b->logical_crc)
                    FMT_FAIL("member %u block %u: raw CRCs differ",
                             (unsigned)i, (unsigned)j);
                break;
            case 2:
                if (b->stored_size < 1 || b->stored_size >= n_i)
                    FMT_FAIL("member %u block %u: deflate size %u for n_i "
                             "%llu", (unsigned)i, (unsigned)j,
                             (unsigned)b->stored_size,
                             (unsigned long long)n_i);
                break;
            case 3:
            case 4:
            case 5:
            case 6:
                if (b->stored_size < 14 || b->stored_size >= n_i)
                    FMT_FAIL("member %u block %u: PCM size %u for n_i %llu",
                             (unsigned)i, (unsigned)j,
                             (unsigned)b->stored_size,
                             (unsigned long long)n_i);
                if (!(le32(s + 12) & 1u))
                    FMT_FAIL("member %u block %u: PCM block without "
                             "incompat bit 0x1", (unsigned)i, (unsigned)j);
                if (b->kind == 4 && !(le32(s + 12) & 8u))
                    FMT_FAIL("member %u block %u: kind 4 without incompat "
                             "bit 0x8", (unsigned)i, (unsigned)j);
                if (b->kind == 5 && !(le32(s + 12) & 0x10u))
                    FMT_FAIL("member %u block %u: kind 5 without incompat "
                             "bit 0x10", (unsigned)i, (unsigned)j);
                if (b->kind == 6 && !(le32(s + 12) & 0x20u))
                    FMT_FAIL("member %u block %u: kind 6 without incompat "
                             "bit 0x20", (unsigned)i, (unsigned)j);
                break;
            default:
                FMT_FAIL("member %u block %u: kind %u", (unsigned)i,
                         (unsigned)j, b->kind);
            }
            if (b->kind != 0 &&
                (b->offset < 8192 ||
                 b->offset + b->stored_size > a->directory_offset))
                FMT_FAIL("member %u block %u: stored range [%llu, +%u) "
                         "outside the data area before the directory",
                         (unsigned)i, (unsigned)j,
                         (unsigned long long)b->offset,
                         (unsigned)b->stored_size);
        }
        pos += 20 * (uint64_t)m->block_count;
    }
    if (pos != end)
        FMT_FAIL("directory: %llu bytes after the last record",
                 (unsigned long long)(end - pos));
    if (defaults > 1)
        FMT_FAIL("%d default members", defaults);
    a->compat_features = le32(s + 16);
    if (a->compat_features & 1u) {
        err = fmt_meta(file, s, a);
        if (err != NULL)
            return err;
    }

    /* Writers never share stored bytes: live ranges must not overlap. */
    for (i = 0; i < a->member_count; i++)
        for (j = 0; j < a->members[i].block_count; j++) {
            const tu_fmt_block *b = &a->members[i].blocks[j];
            uint32_t i2, j2;
            if (b->kind == 0)
                continue;
            for (i2 = i; i2 < a->member_count; i2++)
                for (j2 = (i2 == i ? j + 1 : 0);
                     j2 < a->members[i2].block_count; j2++) {
                    const tu_fmt_block *c = &a->members[i2].blocks[j2];
                    if (c->kind == 0)
                        continue;
                    if (b->offset < c->offset + c->stored_size &&
                        c->offset < b->offset + b->stored_size)
                        FMT_FAIL("members %u/%u blocks %u/%u overlap",
                                 (unsigned)i, (unsigned)i2, (unsigned)j,
                                 (unsigned)j2);
                }
            if (a->member_count * (uint64_t)a->members[i].block_count > 4000)
                break; /* keep the quadratic check small */
        }

    if (!decode)
        return NULL;
    for (i = 0; i < a->member_count; i++) {
        const tu_fmt_member *m = &a->members[i];
        uint64_t bs = (uint64_t)1 << m->block_shift;
        unsigned char dict[32768];
        tmp = tu_xrealloc(tmp, (size_t)bs);
        if ((m->flags & 4u) && !fmt_dict(file, m, dict)) {
            free(tmp);
            FMT_FAIL("member %u: dictionary fails its CRCs or inflate",
                     (unsigned)i);
        }
        for (j = 0; j < m->block_count; j++) {
            const tu_fmt_block *b = &m->blocks[j];
            size_t n_i = (size_t)((j + 1 < m->block_count) ? bs
                                                           : m->length - j * bs);
            const unsigned char *stored = file + b->offset;
            if (b->kind == 0)
                continue;
            if (crc(stored, b->stored_size) != b->stored_crc) {
                free(tmp);
                FMT_FAIL("member %u block %u: stored_crc mismatch",
                         (unsigned)i, (unsigned)j);
            }
            if (b->kind == 1) {
                memcpy(tmp, stored, n_i);
            } else if (b->kind >= 3 && b->kind <= 6) {
                if (!pcm_decode(stored, b->stored_size, tmp, n_i, b->kind)) {
                    free(tmp);
                    FMT_FAIL("member %u block %u: bad PCM block",
                             (unsigned)i, (unsigned)j);
                }
            } else if (!inflate_exact(stored, b->stored_size, tmp, n_i,
                                      (m->flags & 4u) ? dict : NULL,
                                      m->dict_length)) {
                free(tmp);
                FMT_FAIL("member %u block %u: deflate stream does not end "
                         "exactly at stored_size and n_i", (unsigned)i,
                         (unsigned)j);
            }
            if (crc(tmp, n_i) != b->logical_crc) {
                free(tmp);
                FMT_FAIL("member %u block %u: logical_crc mismatch",
                         (unsigned)i, (unsigned)j);
            }
            for (k = 0; k < n_i && tmp[k] == 0; k++)
                ;
            if (k == n_i) {
                free(tmp);
                FMT_FAIL("member %u block %u: all zero but stored as kind %u "
                         "(writers use kind 0)", (unsigned)i, (unsigned)j,
                         b->kind);
            }
        }
    }
    free(tmp);
    return NULL;
}

void tu_fmt_free(tu_fmt_archive *a)
{
    uint32_t i;
    if (a->members)
        for (i = 0; i < a->member_count; i++)
            free(a->members[i].blocks);
    free(a->members);
    memset(a, 0, sizeof *a);
}

unsigned char *tu_fmt_member_bytes(const unsigned char *file,
                                   const tu_fmt_member *m)
{
    uint64_t bs = (uint64_t)1 << m->block_shift;
    unsigned char *out = tu_xcalloc((size_t)m->length);
    unsigned char dict[32768];
    uint32_t j;
    if (m->flags & 4u)
        CHECK(fmt_dict(file, m, dict));
    for (j = 0; j < m->block_count; j++) {
        const tu_fmt_block *b = &m->blocks[j];
        size_t n_i = (size_t)((j + 1 < m->block_count) ? bs
                                                       : m->length - j * bs);
        unsigned char *dst = out + j * bs;
        if (b->kind == 1)
            memcpy(dst, file + b->offset, n_i);
        else if (b->kind == 2)
            CHECK(inflate_exact(file + b->offset, b->stored_size, dst, n_i,
                                (m->flags & 4u) ? dict : NULL,
                                m->dict_length));
        else if (b->kind >= 3 && b->kind <= 6)
            CHECK(pcm_decode(file + b->offset, b->stored_size, dst, n_i,
                             b->kind));
    }
    return out;
}

int tu_fmt_pcm_block(const unsigned char *stored, size_t size, unsigned kind,
                     unsigned char *out, size_t n)
{
    return kind >= 3 && kind <= 6 && pcm_decode(stored, size, out, n, kind);
}

/* ---- images -------------------------------------------------------------- */

void tu_image_free(tu_image *img)
{
    size_t i;
    for (i = 0; i < img->count; i++) {
        free(img->members[i].name);
        free(img->members[i].data);
    }
    free(img->members);
    img->members = NULL;
    img->count = 0;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = tu_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

tu_member_image *tu_image_find(const tu_image *img, const char *name)
{
    size_t i;
    for (i = 0; i < img->count; i++)
        if (strcmp(img->members[i].name, name) == 0)
            return &img->members[i];
    return NULL;
}

void tu_image_put(tu_image *img, const char *name, const void *data,
                  size_t size, int is_default)
{
    tu_member_image *m = tu_image_find(img, name);
    if (!m) {
        img->members = tu_xrealloc(img->members,
                                   (img->count + 1) * sizeof *img->members);
        m = &img->members[img->count++];
        m->name = xstrdup(name);
    } else {
        free(m->data);
    }
    m->data = tu_xmalloc(size);
    if (size)
        memcpy(m->data, data, size);
    m->size = size;
    m->is_default = is_default;
}

zmm_result tu_image_read(zmm_archive *ar, tu_image *img)
{
    size_t n = zmm_archive_member_count(ar), i;
    zmm_result r = ZMM_OK;
    img->count = 0;
    img->members = NULL;
    for (i = 0; i < n && r == ZMM_OK; i++) {
        zmm_member_info info;
        zmm_stream *s = NULL;
        unsigned char *buf = NULL;
        size_t cap = 0, have = 0;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        r = zmm_archive_member_info(ar, i, &info);
        if (r != ZMM_OK)
            break;
        CHECK(info.name != NULL);
        r = zmm_stream_open(ar, info.name, ZMM_STREAM_READ, NULL, &s);
        if (r != ZMM_OK)
            break;
        for (;;) {
            size_t got = 0;
            if (cap - have < 65536) {
                cap = cap ? cap * 2 : 65536;
                CHECKF(cap <= ((size_t)1 << 30),
                       "member \"%s\" reads past 1 GiB", info.name);
                buf = tu_xrealloc(buf, cap);
            }
            r = zmm_stream_read(s, buf + have, cap - have, &got);
            if (r != ZMM_OK)
                break;
            CHECKF(got <= cap - have, "read returned %llu > %llu requested",
                   (unsigned long long)got, (unsigned long long)(cap - have));
            have += got;
            if (have < cap) {
                /* A short read happens only at the end. */
                size_t again = 0;
                unsigned char one;
                r = zmm_stream_read(s, &one, 1, &again);
                if (r != ZMM_OK)
                    break;
                CHECKF(again == 0,
                       "member \"%s\": a short read before the end",
                       info.name);
                break;
            }
        }
        if (r == ZMM_OK) {
            CHECKF(have == info.size,
                   "member \"%s\": read %llu bytes, info.size %llu",
                   info.name, (unsigned long long)have,
                   (unsigned long long)info.size);
            CHECKF(zmm_stream_size(s) == info.size,
                   "member \"%s\": stream size %llu, info.size %llu",
                   info.name, (unsigned long long)zmm_stream_size(s),
                   (unsigned long long)info.size);
            tu_image_put(img, info.name, buf, have,
                         (info.flags & ZMM_MEMBER_DEFAULT) != 0);
        }
        free(buf);
        if (r == ZMM_OK)
            r = zmm_stream_close(s);
        else
            zmm_stream_close(s);
    }
    if (r != ZMM_OK)
        tu_image_free(img);
    return r;
}

int tu_image_equal(const tu_image *a, const tu_image *b, char *why,
                   size_t why_size)
{
    size_t i;
    char dummy[8];
    if (!why) {
        why = dummy;
        why_size = sizeof dummy;
    }
    if (a->count != b->count) {
        snprintf(why, why_size, "%llu members vs %llu",
                 (unsigned long long)a->count, (unsigned long long)b->count);
        return 0;
    }
    for (i = 0; i < a->count; i++) {
        const tu_member_image *x = &a->members[i];
        const tu_member_image *y = tu_image_find(b, x->name);
        if (!y) {
            snprintf(why, why_size, "member \"%s\" missing", x->name);
            return 0;
        }
        if (x->size != y->size) {
            snprintf(why, why_size, "member \"%s\": %llu bytes vs %llu",
                     x->name, (unsigned long long)x->size,
                     (unsigned long long)y->size);
            return 0;
        }
        if (x->size && memcmp(x->data, y->data, x->size) != 0) {
            snprintf(why, why_size, "member \"%s\": bytes differ", x->name);
            return 0;
        }
        if (!x->is_default != !y->is_default) {
            snprintf(why, why_size, "member \"%s\": default flag differs",
                     x->name);
            return 0;
        }
    }
    return 1;
}

double tu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* ---- a failing allocator, passed to the core ----------------------------- */

static zmm_mutex *fail_lock;
static zmm_cond *fail_seen;
static long allocations_left = -1; /* under fail_lock; < 0: never fail */
static int fail_elsewhere;         /* under fail_lock */
static unsigned long failed_elsewhere;
static _Thread_local int is_caller; /* the thread that armed the failures */

/* Whether this allocation may succeed; counts it. */
static int allocation_allowed(void)
{
    int ok;

    zmm_mutex_lock(fail_lock);
    if (fail_elsewhere) {
        ok = is_caller;
        if (!ok) {
            failed_elsewhere++;
            zmm_cond_broadcast(fail_seen);
        }
    } else if (allocations_left < 0) {
        ok = 1;
    } else {
        ok = allocations_left > 0;
        if (ok)
            allocations_left--;
    }
    zmm_mutex_unlock(fail_lock);
    return ok;
}

static void *failing_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return allocation_allowed() ? malloc(size) : NULL;
}

static void *failing_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    return allocation_allowed() ? realloc(ptr, size) : NULL;
}

static void failing_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

/* Installed once, before any failure is asked for, and never removed: it
 * frees with free(), so memory the C library's allocator gave before goes
 * back the same way. */
static void install_failing_allocator(void)
{
    static const zmm_allocator a = { failing_alloc, failing_realloc,
                                     failing_free, NULL };

    if (fail_lock != NULL)
        return;
    fail_lock = zmm_mutex_new();
    fail_seen = zmm_cond_new();
    if (fail_lock == NULL || fail_seen == NULL) {
        fprintf(stderr, "tu_alloc: no mutex\n");
        exit(1);
    }
    zmm_set_allocator(&a);
}

void tu_alloc_fail_after(long count)
{
    install_failing_allocator();
    zmm_mutex_lock(fail_lock);
    allocations_left = count;
    fail_elsewhere = 0;
    zmm_mutex_unlock(fail_lock);
}

void tu_alloc_fail_elsewhere(void)
{
    install_failing_allocator();
    is_caller = 1;
    zmm_mutex_lock(fail_lock);
    fail_elsewhere = 1;
    failed_elsewhere = 0;
    zmm_mutex_unlock(fail_lock);
}

unsigned long tu_alloc_wait_failed_elsewhere(void)
{
    unsigned long n;

    zmm_mutex_lock(fail_lock);
    while (failed_elsewhere == 0)
        zmm_cond_wait(fail_seen, fail_lock);
    n = failed_elsewhere;
    zmm_mutex_unlock(fail_lock);
    return n;
}
