/*
 * mutator.c -- libFuzzer's custom mutator and crossover for fuzz_archive:
 * mutations that know docs/FORMAT.md, with the CRCs made right after them.
 *
 * Every structure of an archive carries a CRC-32, so almost every byte
 * mutation libFuzzer makes on its own is rejected at a CRC check and the
 * decoders behind the checks (inflate, the PCM inverse filter, dictionaries,
 * prefix decoding) are never reached. Here the input is parsed as FORMAT.md
 * lays it out -- the newest slot, its directory, the member records and
 * block entries -- then one thing is changed with knowledge of what it is
 * (a block's stored bytes, a PCM block's header, a block entry's or member
 * record's fields, the directory's bytes, a slot's fields), and the CRCs
 * are recomputed: the stored_crc of a changed block, the directory_crc and
 * the slot_crc. One mutation in 16 leaves a CRC wrong on purpose; one in 8
 * is libFuzzer's own byte mutation, unfixed. Inputs that do not parse get
 * libFuzzer's mutation only (and every input, with ZMM_FUZZ_PLAIN set).
 *
 * A block's logical_crc is never fixed (it would take decoding): a mutated
 * payload is decoded in full and rejected at the end, or returns what a
 * prefix decode gives before that -- which is the path to exercise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

enum { SLOT_SIZE = 64, SLOT1 = 4096, MAX_ITEMS = 4096 };

static const uint8_t magic[8] = {0x89, 'Z', 'M', 'M', 0x0d, 0x0a, 0x1a, 0x0a};

/* Where things are in one input: offsets into it. */
typedef struct layout {
    size_t slot;            /* of the newest slot with the magic */
    size_t dir, dir_len;    /* the directory it names */
    size_t members[MAX_ITEMS], nmembers; /* member records */
    size_t blocks[MAX_ITEMS], nblocks;   /* block entries (and dict entries) */
} layout;

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t crc_of(const uint8_t *p, size_t n)
{
    return (uint32_t)crc32(0, p, (uInt)n);
}

/* A small PRNG seeded by libFuzzer (splitmix64). */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    return n ? next(s) % n : 0;
}

/* Parses what it can; 0 if there is no slot and directory to work on. */
static int parse(const uint8_t *d, size_t n, layout *l)
{
    size_t at, end, k;
    uint64_t best = 0;
    uint32_t count, i;
    int found = 0;

    memset(l, 0, sizeof *l);
    for (k = 0; k < 2; k++) {
        size_t s = k * SLOT1;

        if (s + SLOT_SIZE <= n && memcmp(d + s, magic, 8) == 0 &&
            (!found || rd64(d + s + 24) > best)) {
            best = rd64(d + s + 24);
            l->slot = s;
            found = 1;
        }
    }
    if (!found)
        return 0;
    l->dir = (size_t)rd64(d + l->slot + 32);
    l->dir_len = rd32(d + l->slot + 40);
    if (l->dir < 8192 || l->dir > n || l->dir_len < 16 ||
        l->dir_len > n - l->dir)
        return 0;
    end = l->dir + l->dir_len;
    count = rd32(d + l->dir + 4);
    at = l->dir + 16;
    for (i = 0; i < count && at + 20 <= end; i++) {
        uint32_t flags = rd32(d + at + 4), blocks = rd32(d + at + 16), b;
        size_t name_len = (size_t)d[at] | (size_t)d[at + 1] << 8;

        if (l->nmembers < MAX_ITEMS)
            l->members[l->nmembers++] = at;
        at += 20 + name_len;
        if (flags & 2)
            at += 20; /* PCM layout */
        if ((flags & 4) && at + 24 <= end) {
            if (l->nblocks < MAX_ITEMS)
                l->blocks[l->nblocks++] = at + 4; /* the dictionary entry */
            at += 24;
        }
        for (b = 0; b < blocks && at + 20 <= end; b++, at += 20)
            if (l->nblocks < MAX_ITEMS)
                l->blocks[l->nblocks++] = at;
    }
    return 1;
}

/* The stored bytes of the block entry at `e`, if they lie in the input. */
static uint8_t *stored_of(uint8_t *d, size_t n, size_t e, size_t *len)
{
    uint64_t off = rd64(d + e);

    *len = rd32(d + e + 8) & 0xffffff;
    if (*len == 0 || off > n || *len > n - off)
        return NULL;
    return d + off;
}

static void fix_stored_crc(uint8_t *d, size_t n, size_t e)
{
    size_t len;
    uint8_t *p = stored_of(d, n, e, &len);

    if (p != NULL)
        wr32(d + e + 12, crc_of(p, len));
}

/* The directory's CRC in the slot, then the slot's own. */
static void fix_crcs(uint8_t *d, const layout *l)
{
    wr32(d + l->slot + 44, crc_of(d + l->dir, l->dir_len));
    wr32(d + l->slot + 60, crc_of(d + l->slot, 60));
}

/* An interesting value for a field of `bits` bits near `v`. */
static uint64_t tweak(uint64_t *s, uint64_t v, unsigned bits)
{
    uint64_t mask = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;

    switch (below(s, 6)) {
    case 0: return (v + 1 + below(s, 16)) & mask;
    case 1: return (v - 1 - below(s, 16)) & mask;
    case 2: return 0;
    case 3: return mask;
    case 4: return v ^ ((uint64_t)1 << below(s, bits));
    default: return next(s) & mask;
    }
}

/* libFuzzer's byte mutation on a region, kept at its length. */
static void mutate_region(uint8_t *p, size_t len)
{
    size_t got;

    if (len == 0)
        return;
    got = LLVMFuzzerMutate(p, len, len);
    (void)got; /* bytes past a shortened result keep their old values */
}

/* One structure-aware mutation; returns 0 if none applied. */
static int mutate_structure(uint8_t *d, size_t n, const layout *l,
                            uint64_t *s)
{
    size_t e, m, len;
    uint8_t *p;

    switch (below(s, 7)) {
    case 0: /* a block's payload (a deflate stream, a PCM block) */
    case 1:
        if (l->nblocks == 0)
            return 0;
        e = l->blocks[below(s, l->nblocks)];
        p = stored_of(d, n, e, &len);
        if (p == NULL)
            return 0;
        if ((d[e + 11] == 3) && len > 12 && below(s, 2)) {
            /* a PCM header field: bits, channels, group, first, frames,
             * or an order */
            switch (below(s, 6)) {
            case 0: p[0] = (uint8_t)(below(s, 2) ? 8u << below(s, 3)
                                                 : tweak(s, p[0], 8));
                break;
            case 1: p[1] = (uint8_t)tweak(s, p[1], 8); break;
            case 2: p[2] = (uint8_t)tweak(s, p[2], 8); p[3] = 0; break;
            case 3: wr32(p + 4, (uint32_t)tweak(s, rd32(p + 4), 32)); break;
            case 4: wr32(p + 8, (uint32_t)tweak(s, rd32(p + 8), 32)); break;
            default: {
                size_t at = 12 + (size_t)below(s, p[1] ? p[1] : 1);

                if (at < len)
                    p[at] = (uint8_t)below(s, 5);
                break;
            }
            }
        } else {
            mutate_region(p, len);
        }
        fix_stored_crc(d, n, e);
        return 1;
    case 2: /* a block entry's fields */
        if (l->nblocks == 0)
            return 0;
        e = l->blocks[below(s, l->nblocks)];
        switch (below(s, 4)) {
        case 0: /* offset: near, or another block's */
            if (below(s, 2) && l->nblocks > 1)
                memcpy(d + e, d + l->blocks[below(s, l->nblocks)], 8);
            else
                wr64(d + e, tweak(s, rd64(d + e), 40));
            break;
        case 1: /* stored_size */
            wr32(d + e + 8, (rd32(d + e + 8) & 0xff000000u) |
                                (uint32_t)tweak(s, rd32(d + e + 8), 24));
            break;
        case 2: d[e + 11] = (uint8_t)below(s, 7); break; /* kind, 6 bad */
        default: wr32(d + e + 16, (uint32_t)next(s)); break; /* logical */
        }
        fix_stored_crc(d, n, e);
        return 1;
    case 3: /* a member record's fields */
        if (l->nmembers == 0)
            return 0;
        m = l->members[below(s, l->nmembers)];
        switch (below(s, 6)) {
        case 0: d[m + 2] = (uint8_t)(below(s, 2) ? 12 + below(s, 9)
                                                 : tweak(s, d[m + 2], 8));
            break; /* block_shift */
        case 1: d[m + 4] ^= (uint8_t)(1u << below(s, 4)); break; /* flags */
        case 2: wr64(d + m + 8, tweak(s, rd64(d + m + 8), 40)); break;
        case 3: wr32(d + m + 16, (uint32_t)tweak(s, rd32(d + m + 16), 32));
            break; /* block_count */
        case 4: { /* a name byte: invalid UTF-8, a control, a bidi mark */
            size_t name_len = (size_t)d[m] | (size_t)d[m + 1] << 8;
            static const uint8_t odd[] = {0xc0, 0x80, 0xff, 0x1f, 0x7f,
                                          0xe2, '/', '.', '\\', 0};

            if (name_len > 0 && m + 20 + name_len <= l->dir + l->dir_len)
                d[m + 20 + below(s, name_len)] = odd[below(s, sizeof odd)];
            break;
        }
        default: { /* the PCM layout or the dictionary record after the
                    * name: any of its bytes */
            size_t name_len = (size_t)d[m] | (size_t)d[m + 1] << 8;
            size_t at = m + 20 + name_len + below(s, 24);

            if (at < l->dir + l->dir_len)
                d[at] = (uint8_t)tweak(s, d[at], 8);
            break;
        }
        }
        return 1;
    case 4: /* the directory's bytes, as libFuzzer mutates them */
        mutate_region(d + l->dir, l->dir_len);
        return 1;
    case 5: /* the directory's header: count, flags */
        wr32(d + l->dir + 4 * (1 + below(s, 2)),
             (uint32_t)tweak(s, rd32(d + l->dir + 4), 17));
        return 1;
    default: /* a slot's fields: features, generation */
        switch (below(s, 3)) {
        case 0: wr32(d + l->slot + 12, rd32(d + l->slot + 12) ^
                                            (1u << below(s, 4)));
            break;
        case 1: wr32(d + l->slot + 16, (uint32_t)next(s)); break;
        default: wr64(d + l->slot + 24, tweak(s, rd64(d + l->slot + 24), 8));
            break;
        }
        return 1;
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed)
{
    uint64_t s = seed;
    layout *l;
    int done = 0;

    /* ZMM_FUZZ_PLAIN=1: libFuzzer's mutations only (to measure what the
     * structure-aware ones add). */
    if (below(&s, 8) == 0 || getenv("ZMM_FUZZ_PLAIN") != NULL)
        return LLVMFuzzerMutate(data, size, max_size);
    l = malloc(sizeof *l);
    if (l != NULL && parse(data, size, l)) {
        /* No mutation moves the slot or the directory: l still says where
         * the CRCs to fix are. */
        done = mutate_structure(data, size, l, &s);
        if (done && below(&s, 16) != 0)
            fix_crcs(data, l);
    }
    free(l);
    return done ? size : LLVMFuzzerMutate(data, size, max_size);
}

/* Crossover: data1 with one block's stored bytes taken from data2 (as many
 * as fit), its CRCs made right: payloads move between archives. */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed)
{
    uint64_t s = seed;
    layout *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    size_t n = 0, la, lb, ea, eb;
    const uint8_t *from;
    uint8_t *to;

    if (a != NULL && b != NULL && size1 <= max_out_size) {
        memcpy(out, data1, size1);
        n = size1;
        if (parse(out, n, a) && parse(data2, size2, b) && a->nblocks > 0 &&
            b->nblocks > 0) {
            ea = a->blocks[below(&s, a->nblocks)];
            eb = b->blocks[below(&s, b->nblocks)];
            to = stored_of(out, n, ea, &la);
            from = stored_of((uint8_t *)(uintptr_t)data2, size2, eb, &lb);
            if (to != NULL && from != NULL) {
                memcpy(to, from, la < lb ? la : lb);
                out[ea + 11] = data2[eb + 11]; /* its kind too */
                fix_stored_crc(out, n, ea);
                fix_crcs(out, a);
            }
        }
    }
    free(a);
    free(b);
    return n;
}
