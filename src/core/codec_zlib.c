/* codec_zlib.c -- block coding with zlib's raw deflate, plain or after the
 * PCM filter (filter_pcm.c). */
#include "codec.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "crc32.h"
#include "filter_pcm.h"

/*
 * The deflate strategies PCM content is coded with, the shorter stream
 * kept. Residual planes are short-range: Z_RLE (runs only) packs the
 * benchmark audio 13% smaller than zlib's default, and Z_FILTERED (longer
 * matches only) the freedesktop theme's sounds 3% smaller; neither wins
 * everywhere. Z_RLE is the cheap one (a third of the default's time).
 */
#define PCM_STRATEGIES 2
static const int pcm_strategy[PCM_STRATEGIES] = {Z_RLE, Z_FILTERED};
/* Z_FILTERED wins few blocks of most recordings (28 of 1,218 tries on the
 * benchmark audio) but every block of some synthetic sounds (by up to 10%),
 * and its full search at level 6 (128 candidates a match) costs as much as
 * the rest of the encoder: a search of PROBE_CHAIN candidates on a block's
 * first quarter, against Z_RLE's on the same bytes, tells the blocks worth
 * it. Probing whole blocks took a third of packing the benchmark audio;
 * the quarter packs it 28% faster, 157 bytes (0.001%) larger, and the test
 * corpus 0.11% larger (its worst file 1.3%). Letting blocks within 3% of
 * Z_RLE's quarter through gave back the corpus's bytes but took longer
 * than probing whole blocks. */
#define PROBE_CHAIN 16
#define PROBE_MIN 4096 /* a probe's bytes at least (a quarter block) */

struct zmm_codec {
    z_stream inflater;
    z_stream deflater;
    int inflater_ready;
    int deflater_level; /* -1: no deflater yet */
    /* PCM content gets deflaters of its own, one a strategy (see
     * PCM_MEM_LEVEL and pcm_strategy); all are kept so that coding
     * allocates nothing. */
    z_stream pcm_deflater[PCM_STRATEGIES];
    int pcm_deflater_level[PCM_STRATEGIES]; /* -1: none yet */
    /* PCM blocks: the filtered bytes, a PCM block's stored bytes while
     * they compete with plain deflate's in the caller's scratch, and room
     * for a second stream while two compete. */
    unsigned char *pcm_content;
    unsigned char *pcm_stored;
    unsigned char *pcm_spare;
    uint32_t pcm_room;
    zmm_pcm_block pcm_block; /* the PCM block being inflated, after begin */
    const unsigned char *dict; /* preset for deflate blocks, or NULL */
    uint32_t dict_len;
    /* A deflater preset with the dictionary once (see preset_copy) and
     * the copy a block is coded with, made in `arena`. */
    z_stream preset;
    z_stream copy;
    int preset_level; /* -1: no preset yet */
    unsigned char *preset_dict; /* its dictionary's bytes */
    uint32_t preset_len;
    unsigned char *arena;
    size_t arena_used; /* SIZE_MAX: not copying, the heap allocates */
};

/* zlib allocates through the core's allocator, so a failing allocator
 * passed in by a test covers its windows and state too. */
static voidpf codec_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return zmm_calloc(items, size);
}

/* Inflate needs no zeroed memory (zlib's own allocator is plain malloc):
 * zeroing its 32 KiB window on every stream's first block was a twentieth
 * of a small member's open and read. Deflate keeps calloc: its match
 * search may look at window bytes not yet written. */
static voidpf inflate_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size != 0 && items > SIZE_MAX / size)
        return NULL;
    return zmm_malloc((size_t)items * size);
}

static void codec_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    zmm_free(ptr);
}

/* A dictionary's preset deflater, and the copy made of it for each block,
 * allocate through these: the copy from the codec's arena (its whole state,
 * about 260 KiB with zlib 1.2 and 1.3), without a heap call; the preset from
 * the heap. */
#define ARENA_SIZE (384u << 10)

static voidpf preset_alloc(voidpf opaque, uInt items, uInt size)
{
    zmm_codec *c = opaque;
    size_t n;
    voidpf p;

    if (c->arena_used == SIZE_MAX)
        return codec_alloc(NULL, items, size);
    if (size != 0 && items > (SIZE_MAX - 63) / size)
        return NULL;
    n = ((size_t)items * size + 63) & ~(size_t)63; /* aligned for any use */
    if (n > ARENA_SIZE - c->arena_used)
        return NULL;
    p = c->arena + c->arena_used;
    c->arena_used += n;
    return p;
}

static void preset_free(voidpf opaque, voidpf ptr)
{
    zmm_codec *c = opaque;
    uintptr_t at = (uintptr_t)ptr, arena = (uintptr_t)c->arena;

    if (at - arena >= ARENA_SIZE) /* not in the arena: from the heap */
        zmm_free(ptr);
}

zmm_codec *zmm_codec_new(void)
{
    zmm_codec *c = zmm_calloc(1, sizeof *c);

    if (c != NULL) {
        c->arena_used = SIZE_MAX;
        c->preset_level = -1;
        c->deflater_level = -1;
        c->pcm_deflater_level[0] = -1;
        c->pcm_deflater_level[1] = -1;
    }
    return c;
}

void zmm_codec_free(zmm_codec *c)
{
    unsigned i;

    if (c == NULL)
        return;
    if (c->inflater_ready)
        inflateEnd(&c->inflater);
    if (c->deflater_level >= 0)
        deflateEnd(&c->deflater);
    for (i = 0; i < PCM_STRATEGIES; i++)
        if (c->pcm_deflater_level[i] >= 0)
            deflateEnd(&c->pcm_deflater[i]);
    if (c->preset_level >= 0)
        deflateEnd(&c->preset);
    zmm_free(c->preset_dict);
    zmm_free(c->arena);
    zmm_free(c->pcm_content);
    zmm_free(c->pcm_stored);
    zmm_free(c->pcm_spare);
    zmm_free(c);
}

void zmm_codec_use_dictionary(zmm_codec *c, const unsigned char *dict,
                              uint32_t len)
{
    c->dict = len != 0 ? dict : NULL;
    c->dict_len = dict != NULL ? len : 0;
}

/* Room for n bytes in the PCM buffers. */
static zmm_result pcm_reserve(zmm_codec *c, uint32_t n)
{
    unsigned char *a, *b, *s;

    if (n <= c->pcm_room)
        return ZMM_OK;
    a = zmm_malloc(n);
    b = zmm_malloc(n);
    s = zmm_malloc(n);
    if (a == NULL || b == NULL || s == NULL) {
        zmm_free(a);
        zmm_free(b);
        zmm_free(s);
        return ZMM_ERR_NOMEM;
    }
    zmm_free(c->pcm_content);
    zmm_free(c->pcm_stored);
    zmm_free(c->pcm_spare);
    c->pcm_content = a;
    c->pcm_stored = b;
    c->pcm_spare = s;
    c->pcm_room = n;
    return ZMM_OK;
}

int zmm_is_zero(const unsigned char *p, size_t n)
{
    static const unsigned char zeros[256];

    while (n >= sizeof zeros) {
        if (memcmp(p, zeros, sizeof zeros) != 0)
            return 0;
        p += sizeof zeros;
        n -= sizeof zeros;
    }
    return memcmp(p, zeros, n) == 0;
}

/*
 * memLevel of PCM content's deflater. A PCM group's planes alternate every
 * few KiB between near-random low bytes and highly compressible high bytes;
 * memLevel 6 makes zlib end a Huffman block every 4096 symbols instead of
 * 16384, so codes follow the planes: on real audio (64 KiB blocks, 8 KiB
 * groups) 1.0% smaller than memLevel 8. Plain deflate keeps memLevel 8.
 */
#define PCM_MEM_LEVEL 6

/* *zs ready to deflate at `level` (*ready: its level, -1 if none yet). */
static zmm_result prepare_deflater(z_stream *zs, int *ready, int level,
                                   int mem_level, int strategy)
{
    if (*ready == level)
        return deflateReset(zs) == Z_OK ? ZMM_OK : ZMM_ERR_NOMEM;
    if (*ready >= 0) {
        deflateEnd(zs);
        *ready = -1;
    }
    memset(zs, 0, sizeof *zs);
    zs->zalloc = codec_alloc;
    zs->zfree = codec_free;
    if (deflateInit2(zs, level, Z_DEFLATED, -15, mem_level, strategy) !=
        Z_OK)
        return ZMM_ERR_NOMEM;
    *ready = level;
    return ZMM_OK;
}

/*
 * c->copy made ready to deflate a block at `level` with the dictionary: a
 * copy of a deflater preset with it once. deflateSetDictionary on every
 * block hashes all 32 KiB of it again: 3% of deflating text with a
 * dictionary, where the copy moves the state's 260 KiB (deflateCopy with
 * zlib's own allocator, a heap call per buffer, was slower than presetting;
 * issue 15). The same stream as presetting, byte for byte. The preset is
 * kept while the level and the dictionary's bytes stay the same (compared,
 * since the caller may reuse its buffer). ZMM_ERR_NOMEM: the caller presets
 * its own deflater instead.
 */
static zmm_result preset_copy(zmm_codec *c, int level)
{
    int zrc;

    if (c->preset_level != level || c->preset_len != c->dict_len ||
        memcmp(c->preset_dict, c->dict, c->dict_len) != 0) {
        if (c->preset_level >= 0)
            deflateEnd(&c->preset);
        c->preset_level = -1;
        if (c->arena == NULL)
            c->arena = zmm_malloc(ARENA_SIZE);
        if (c->preset_dict == NULL)
            c->preset_dict = zmm_malloc(ZMM_MAX_DICTIONARY);
        if (c->arena == NULL || c->preset_dict == NULL ||
            c->dict_len > ZMM_MAX_DICTIONARY)
            return ZMM_ERR_NOMEM;
        memset(&c->preset, 0, sizeof c->preset);
        c->preset.zalloc = preset_alloc;
        c->preset.zfree = preset_free;
        c->preset.opaque = c;
        if (deflateInit2(&c->preset, level, Z_DEFLATED, -15, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK)
            return ZMM_ERR_NOMEM;
        c->preset_level = level;
        if (deflateSetDictionary(&c->preset, c->dict, c->dict_len) != Z_OK) {
            deflateEnd(&c->preset);
            c->preset_level = -1;
            return ZMM_ERR_NOMEM;
        }
        memcpy(c->preset_dict, c->dict, c->dict_len);
        c->preset_len = c->dict_len;
    }
    c->arena_used = 0;
    zrc = deflateCopy(&c->copy, &c->preset);
    c->arena_used = SIZE_MAX;
    return zrc == Z_OK ? ZMM_OK : ZMM_ERR_NOMEM;
}

/* Deflates n bytes into out if the stream fits in `room` bytes: *size gets
 * its length, or 0 when it does not fit. `pcm`: -1 plain (with the
 * dictionary), else PCM content with pcm_strategy[pcm]. `chain`: at most
 * this many candidates searched a match, with level 6's other lengths (0:
 * the level's own search). */
static zmm_result deflate_into(zmm_codec *c, int level, int pcm, int chain,
                               const unsigned char *in, uint32_t n,
                               unsigned char *out, uint32_t room,
                               uint32_t *size)
{
    z_stream *zs = pcm >= 0 ? &c->pcm_deflater[pcm] : &c->deflater;
    int copied = pcm < 0 && c->dict != NULL && chain == 0 && room != 0 &&
                 preset_copy(c, level) == ZMM_OK;
    zmm_result rc = ZMM_OK;
    int zrc;

    if (copied)
        zs = &c->copy;
    else if (pcm >= 0)
        rc = prepare_deflater(zs, &c->pcm_deflater_level[pcm], level,
                              PCM_MEM_LEVEL, pcm_strategy[pcm]);
    else
        rc = prepare_deflater(zs, &c->deflater_level, level, 8,
                              Z_DEFAULT_STRATEGY);
    *size = 0;
    if (room == 0)
        return rc;
    if (rc == ZMM_OK && !copied && pcm < 0 && c->dict != NULL &&
        deflateSetDictionary(zs, c->dict, c->dict_len) != Z_OK)
        rc = ZMM_ERR_NOMEM;
    /* undone by the next deflateReset */
    if (rc == ZMM_OK && chain > 0 &&
        deflateTune(zs, 8, 16, 128, chain) != Z_OK)
        rc = ZMM_ERR_NOMEM;
    if (rc != ZMM_OK)
        return rc;
    zs->next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const */
    zs->avail_in = n;
    zs->next_out = out;
    zs->avail_out = room;
    zrc = deflate(zs, Z_FINISH);
    if (zrc == Z_STREAM_END)
        *size = (uint32_t)zs->total_out;
    if (copied)
        deflateEnd(zs); /* its buffers are the arena's */
    return zrc == Z_STREAM_END || zrc == Z_OK || zrc == Z_BUF_ERROR
               ? ZMM_OK
               : ZMM_ERR_NOMEM;
}

/* log2(x) in 1/65536ths, x >= 1: the exponent exact, the fraction from
 * log2(1 + f) ~ f (1.3465 - 0.3465 f), within 0.01. */
static uint64_t log2_q16(uint32_t x)
{
    uint32_t e = 0;
    uint64_t f;

    while ((x >> e) > 1)
        e++;
    f = e >= 16 ? (x >> (e - 16)) & 0xffffu : (x << (16 - e)) & 0xffffu;
    return ((uint64_t)e << 16) + f * (88245u - 22708u * f / 65536u) / 65536u;
}

/* The n bytes' order-0 entropy, in bits times 65536: what a coder of single
 * bytes would need, a cheap guess at deflate's size for sample data. */
static uint64_t order0_bits(const unsigned char *p, uint32_t n)
{
    uint32_t count[256] = {0}, i;
    uint64_t bits = 0, log_n = log2_q16(n);

    for (i = 0; i < n; i++)
        count[p[i]]++;
    for (i = 0; i < 256; i++)
        if (count[i] != 0)
            bits += count[i] * (log_n - log2_q16(count[i]));
    return bits;
}

/* Whether a filtered block (in c->pcm_content) surely packs smaller than
 * its n plain bytes `in`, so that deflating them is not worth it: when the
 * residuals' order-0 entropy is 2% or more under the samples'. A cheap
 * guess (two byte histograms against a deflate): on the benchmark audio
 * it skips 253 of 257 plain deflates and costs no byte (issue 15). */
static int filter_wins(const zmm_codec *c, const unsigned char *in,
                       uint32_t n)
{
    return order0_bits(c->pcm_content, n) < order0_bits(in, n) / 50 * 49;
}

/* c->pcm_content (n bytes) deflated by each PCM strategy: the shorter
 * stream, if shorter than `room` bytes, at `out`, its length in *size (0:
 * none fits). The strategies after the first are tried only when the
 * first's stream is shorter than `give_up` bytes (room <= give_up; out has
 * room for give_up - 1). */
static zmm_result deflate_pcm(zmm_codec *c, int level, uint32_t n,
                              unsigned char *out, uint32_t room,
                              uint32_t give_up, uint32_t *size)
{
    uint32_t other;
    zmm_result rc;
    int i;

    assert(room <= give_up);
    *size = 0;
    rc = deflate_into(c, level, 0, 0, c->pcm_content, n, out, give_up - 1,
                      &other);
    if (rc != ZMM_OK || other == 0)
        return rc;
    if (other < room)
        *size = other;
    for (i = 1; i < PCM_STRATEGIES; i++) {
        uint32_t limit = *size != 0 ? *size : room;
        unsigned char *to = *size != 0 ? c->pcm_spare : out;

        /* Where the level's search is long, a short one on the block's
         * first quarter, against the first strategy's on the same bytes:
         * only a block it wins there gets the full search (PROBE_CHAIN). */
        if (level >= 6 && n >= 4 * PROBE_MIN) {
            uint32_t part = n / 4, first_part, this_part;

            rc = deflate_into(c, level, 0, 0, c->pcm_content, part,
                              c->pcm_spare, part, &first_part);
            if (rc == ZMM_OK)
                rc = deflate_into(c, level, i, PROBE_CHAIN, c->pcm_content,
                                  part, c->pcm_spare,
                                  first_part != 0 ? first_part : part,
                                  &this_part);
            if (rc != ZMM_OK)
                return rc;
            if (this_part == 0)
                continue;
        }
        rc = deflate_into(c, level, i, 0, c->pcm_content, n, to, limit - 1,
                          &other);
        if (rc != ZMM_OK)
            return rc;
        if (other == 0)
            continue;
        if (*size != 0)
            memcpy(out, c->pcm_spare, other);
        *size = other;
    }
    return ZMM_OK;
}

/* Block b (filled by zmm_pcm_block_range and the choosers) coded from `in`
 * at `out` (room for n bytes), if shorter than `best` bytes: *size gets the
 * stored size, or 0. `slack`: the strategies after the first are tried
 * only when the first's stream is under `best + slack` bytes. */
static zmm_result encode_pcm_as(zmm_codec *c, int level,
                                const zmm_pcm_block *b,
                                const unsigned char *in, uint32_t n,
                                unsigned char *out, uint32_t best,
                                uint32_t slack, uint32_t *size)
{
    size_t header = zmm_pcm_header_size(b);
    uint32_t deflated, room, give_up;
    zmm_result rc;

    *size = 0;
    if (best <= header + 1)
        return ZMM_OK;
    room = best - (uint32_t)header;
    give_up = slack < n - best ? room + slack : n - (uint32_t)header;
    zmm_pcm_forward(b, in, n, c->pcm_content);
    rc = deflate_pcm(c, level, n, out + header, room, give_up, &deflated);
    if (rc != ZMM_OK || deflated == 0)
        return rc;
    zmm_pcm_header_encode(b, out);
    *size = (uint32_t)header + deflated;
    return ZMM_OK;
}

/*
 * The block as kind PCM, if that is shorter than `best` bytes: *size gets
 * the stored size in c->pcm_stored, or 0, and *kind 3, 4 (a channel coded
 * from the previous one), 5 (linear predictors; only if pcm_max_kind
 * allows) or 6 (kind 5 with planes channel by channel, for two channels or
 * more, if pcm_max_kind allows). Linear predictors are kept only when
 * shorter than the block coded with kind 3's and 4's fixed orders, which
 * are coded too: the predictors' records and the size estimates that
 * choose them do not always pay (a tiny member's block, a short sound).
 * The linear predictors go first:
 * it usually wins, and the fixed orders' streams then stop as soon as
 * they are no shorter. `scratch` has room for n bytes.
 */
static zmm_result encode_pcm(zmm_codec *c, int level,
                             const unsigned char *in, uint32_t n,
                             const zmm_pcm_layout *pcm, uint64_t offset,
                             unsigned pcm_max_kind, unsigned char *scratch,
                             uint32_t best, uint32_t *size, unsigned *kind)
{
    zmm_pcm_block b, lpc, way[3];
    unsigned ways = 0, i;
    int planar;
    zmm_result rc;

    *size = 0;
    if (zmm_pcm_block_range(pcm, offset, n, &b) == 0)
        return ZMM_OK;
    if (best <= zmm_pcm_header_size(&b) + 1)
        return ZMM_OK;
    rc = pcm_reserve(c, n);
    if (rc != ZMM_OK)
        return rc;
    zmm_pcm_choose_orders(&b, in);
    lpc = b;
    if (pcm_max_kind >= ZMM_KIND_PCM_LPC)
        zmm_lpc_choose(&lpc, in);
    /* Planes channel by channel keep each channel's residuals together:
     * 0.7% smaller on the benchmark audio, a fifth on sounds whose
     * channels are copies (their zero residuals no longer interleaved).
     * Kind 6 then takes the fixed orders too, as linear predictors; a
     * short block also tries them as kinds 3 and 4 (shorter records, and
     * lower orders at the block's first frames). One channel's planes are
     * the same either way: kinds 5 and 3 then. */
    planar = pcm_max_kind >= ZMM_KIND_PCM_PLANAR && b.channels > 1;
    if (lpc.lpc) {
        lpc.planar = planar;
        way[ways++] = lpc;
    }
    if (planar) {
        way[ways] = b;
        zmm_lpc_from_fixed(&way[ways]);
        way[ways++].planar = 1;
    }
    if (!planar || n < 32768)
        way[ways++] = b;
    /* The fixed orders, kept on a tie. In a block of 32 KiB or more after
     * kind 5 or 6, their second strategy only when their first's stream
     * is within an eighth of the linear predictors': that spares most of
     * the time coding them costs (packing the benchmark audio takes a
     * third longer than with one stream a block, not 57%), and on long
     * sounds the strategies differ by less. Short ones, where they may
     * differ by more, get both. */
    for (i = 0; i < ways; i++) {
        unsigned char *to = i == 0 ? c->pcm_stored : scratch;
        uint32_t way_size;

        rc = encode_pcm_as(c, level, &way[i], in, n, to,
                           *size != 0 ? *size + 1 : best,
                           *size != 0 && n >= 32768 ? *size / 8 : n,
                           &way_size);
        if (rc != ZMM_OK)
            return rc;
        if (way_size == 0)
            continue;
        if (to != c->pcm_stored)
            memcpy(c->pcm_stored, scratch, way_size);
        *size = way_size;
        *kind = zmm_pcm_kind(&way[i]);
    }
    return ZMM_OK;
}

zmm_result zmm_codec_encode(zmm_codec *c, int level, const unsigned char *in,
                            uint32_t n, const zmm_pcm_layout *pcm,
                            uint64_t offset, unsigned pcm_max_kind,
                            unsigned char *scratch, zmm_block_ref *ref,
                            const unsigned char **stored)
{
    uint32_t plain = 0, filtered = 0;
    unsigned pcm_kind = ZMM_KIND_PCM;
    zmm_result rc;

    ref->logical_crc = 0;
    if (zmm_is_zero(in, n)) {
        ref->kind = ZMM_KIND_ZERO;
        ref->stored_size = 0;
        ref->stored_crc = 0;
        *stored = NULL;
        return ZMM_OK;
    }
    ref->logical_crc = zmm_crc32(0, in, n);
    if (level > 0 && n > 1) {
        /* Deflate only if strictly smaller than raw; PCM only if smaller
         * still. A PCM member's block is filtered first, and deflated
         * plain too unless the filter clearly wins. */
        if (pcm != NULL) {
            rc = encode_pcm(c, level, in, n, pcm, offset, pcm_max_kind,
                            scratch, n, &filtered, &pcm_kind);
            if (rc != ZMM_OK)
                return rc;
        }
        if (filtered == 0 || !filter_wins(c, in, n)) {
            rc = deflate_into(c, level, -1, 0, in, n, scratch,
                              filtered != 0 && filtered < n - 1 ? filtered
                                                                : n - 1,
                              &plain);
            if (rc != ZMM_OK)
                return rc;
            if (plain != 0)
                filtered = 0; /* no larger: plain wins ties, as before */
        }
    }
    if (filtered != 0) {
        ref->kind = pcm_kind;
        ref->stored_size = filtered;
        *stored = c->pcm_stored;
    } else if (plain != 0) {
        ref->kind = ZMM_KIND_DEFLATE;
        ref->stored_size = plain;
        *stored = scratch;
    } else {
        ref->kind = ZMM_KIND_RAW;
        ref->stored_size = n;
        ref->stored_crc = ref->logical_crc;
        *stored = in;
        return ZMM_OK;
    }
    ref->stored_crc = zmm_crc32(0, *stored, ref->stored_size);
    return ZMM_OK;
}

/* Starts inflating a stream, preset with `dict` unless it is NULL. */
static zmm_result inflate_begin(zmm_codec *c, const unsigned char *stored,
                                uint32_t stored_size,
                                const unsigned char *dict, uint32_t dict_len)
{
    if (!c->inflater_ready) {
        memset(&c->inflater, 0, sizeof c->inflater);
        c->inflater.zalloc = inflate_alloc;
        c->inflater.zfree = codec_free;
        if (inflateInit2(&c->inflater, -15) != Z_OK)
            return ZMM_ERR_NOMEM;
        c->inflater_ready = 1;
    } else if (inflateReset(&c->inflater) != Z_OK) {
        return ZMM_ERR_NOMEM;
    }
    /* Raw inflate takes a dictionary before its first call, unchecked: a
     * wrong one gives wrong bytes, which logical_crc catches. */
    if (dict != NULL && inflateSetDictionary(&c->inflater, dict, dict_len) !=
                            Z_OK)
        return ZMM_ERR_NOMEM;
    c->inflater.next_in = (Bytef *)(uintptr_t)stored;
    c->inflater.avail_in = stored_size;
    return ZMM_OK;
}

zmm_result zmm_codec_inflate_begin(zmm_codec *c, const unsigned char *stored,
                                   uint32_t stored_size)
{
    return inflate_begin(c, stored, stored_size, c->dict, c->dict_len);
}

static zmm_result inflate_result(int zrc)
{
    return zrc == Z_MEM_ERROR ? ZMM_ERR_NOMEM : ZMM_ERR_CORRUPT;
}

zmm_result zmm_codec_inflate_more(zmm_codec *c, unsigned char *out,
                                  uint32_t *done, uint32_t want, uint32_t n)
{
    z_stream *zs = &c->inflater;
    int zrc = Z_OK;

    if (*done < want) {
        zs->next_out = out + *done;
        zs->avail_out = want - *done;
        /* Z_FINISH for the last bytes: when the stream ends in this call,
         * zlib then skips copying the output's last 32 KiB into its window,
         * which nothing would read. Z_BUF_ERROR from it only says the
         * output is full before the end was seen: checked below. */
        zrc = inflate(zs, want == n ? Z_FINISH : Z_NO_FLUSH);
        *done = want - zs->avail_out;
        if (zrc == Z_BUF_ERROR && want == n && *done == want)
            zrc = Z_OK;
        if (zrc != Z_OK && zrc != Z_STREAM_END)
            return inflate_result(zrc);
        if (*done < want)
            return ZMM_ERR_CORRUPT; /* the stream ended or ran out early */
        if (zrc == Z_STREAM_END && want < n)
            return ZMM_ERR_CORRUPT;
    }
    if (want == n && zrc != Z_STREAM_END) {
        /* All n bytes are out; the end-of-stream code may still be unread.
         * One byte of room shows whether the stream would write more. */
        unsigned char extra;

        zs->next_out = &extra;
        zs->avail_out = 1;
        zrc = inflate(zs, Z_NO_FLUSH);
        if (zrc != Z_STREAM_END || zs->avail_out != 1)
            return zrc == Z_MEM_ERROR ? ZMM_ERR_NOMEM : ZMM_ERR_CORRUPT;
    }
    if (want == n && zs->avail_in != 0)
        return ZMM_ERR_CORRUPT; /* stored bytes after the end of the stream */
    return ZMM_OK;
}

zmm_result zmm_codec_pcm_begin(zmm_codec *c, unsigned kind,
                               const unsigned char *stored,
                               uint32_t stored_size, uint32_t n)
{
    size_t header;
    zmm_result rc = zmm_pcm_header_decode(stored, stored_size, n, kind,
                                          &c->pcm_block, &header);

    if (rc == ZMM_OK)
        rc = pcm_reserve(c, n);
    if (rc == ZMM_OK)
        rc = inflate_begin(c, stored + header,
                           stored_size - (uint32_t)header, NULL, 0);
    return rc;
}

/* The content is inflated into c->pcm_content, which keeps it between
 * calls: content [0, *valid) is there, and logical [0, *valid) in out. */
zmm_result zmm_codec_pcm_more(zmm_codec *c, unsigned char *out,
                              uint32_t *valid, uint32_t want, uint32_t n)
{
    uint32_t from = *valid, done = *valid;
    uint32_t to = zmm_pcm_prefix_end(&c->pcm_block, want, n);
    zmm_result rc;

    if (to <= from)
        return ZMM_OK;
    rc = zmm_codec_inflate_more(c, c->pcm_content, &done, to, n);
    if (rc != ZMM_OK)
        return rc;
    zmm_pcm_inverse_range(&c->pcm_block, c->pcm_content, from, to, out);
    *valid = to;
    return ZMM_OK;
}

zmm_result zmm_codec_decode_block(zmm_codec *c, const zmm_block_ref *ref,
                                  const unsigned char *stored, uint32_t n,
                                  unsigned char *out)
{
    uint32_t done = 0;
    zmm_result rc;

    if (ZMM_KIND_IS_PCM(ref->kind)) {
        rc = zmm_codec_pcm_begin(c, ref->kind, stored, ref->stored_size, n);
        if (rc == ZMM_OK)
            rc = zmm_codec_pcm_more(c, out, &done, n, n);
    } else {
        rc = zmm_codec_inflate_begin(c, stored, ref->stored_size);
        if (rc == ZMM_OK)
            rc = zmm_codec_inflate_more(c, out, &done, n, n);
    }
    if (rc == ZMM_OK && zmm_crc32(0, out, n) != ref->logical_crc)
        rc = ZMM_ERR_CORRUPT;
    return rc;
}
