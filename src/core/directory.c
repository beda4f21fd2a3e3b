/*
 * directory.c -- the member directory in memory and on disk. Decoding checks
 * every count against the bytes actually present before allocating for it,
 * so a hostile directory can cost at most a small multiple of its own size.
 */
#include "directory.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"
#include "filter_pcm.h"
#include "header.h"
#include "names.h"

static const unsigned char directory_magic[4] = {'Z', 'D', 'I', 'R'};

uint64_t zmm_directory_max_blocks(void)
{
    return (ZMM_MAX_DIRECTORY - ZMM_DIRECTORY_HEADER_SIZE) /
           ZMM_BLOCK_ENTRY_SIZE;
}

uint32_t zmm_member_block_length(const zmm_member *m, uint32_t index)
{
    uint64_t start = (uint64_t)index << m->block_shift;
    uint64_t left = m->length - start;
    uint32_t block_size = 1u << m->block_shift;

    return left < block_size ? (uint32_t)left : block_size;
}

static uint64_t blocks_for_length(uint64_t length, unsigned shift)
{
    return (length >> shift) + ((length & ((1u << shift) - 1)) != 0);
}

static void member_free(zmm_member *m)
{
    if (m != NULL) {
        zmm_free(m->name);
        zmm_free(m->blocks);
        zmm_free(m);
    }
}

void zmm_directory_free(zmm_directory *dir)
{
    uint32_t i;

    for (i = 0; dir->pool == NULL && i < dir->count; i++)
        member_free(dir->members[i]);
    zmm_free(dir->pool);
    zmm_free(dir->members);
    memset(dir, 0, sizeof *dir);
}

/* A flat directory's storage (zmm_directory_decode_flat): every member,
 * block entry and name in one allocation, handed out in directory order. */
typedef struct flat_pool {
    zmm_member *members;
    zmm_block_ref *blocks;
    char *names;
    uint32_t members_left;
    uint64_t blocks_left;
    size_t names_left;
} flat_pool;

static zmm_result reserve_members(zmm_directory *dir, uint32_t want)
{
    zmm_member **grown;
    uint32_t cap;

    if (want <= dir->capacity)
        return ZMM_OK;
    cap = dir->capacity ? dir->capacity * 2 : 8;
    if (cap < want)
        cap = want;
    grown = zmm_realloc(dir->members, cap * sizeof *grown);
    if (grown == NULL)
        return ZMM_ERR_NOMEM;
    dir->members = grown;
    dir->capacity = cap;
    return ZMM_OK;
}

static zmm_result reserve_blocks(zmm_member *m, uint64_t want)
{
    zmm_block_ref *grown;
    uint64_t cap;

    if (want <= m->block_capacity)
        return ZMM_OK;
    if (want > zmm_directory_max_blocks())
        return ZMM_ERR_LIMIT;
    cap = m->block_capacity ? (uint64_t)m->block_capacity * 2 : 16;
    if (cap < want)
        cap = want;
    if (cap > zmm_directory_max_blocks())
        cap = zmm_directory_max_blocks();
    if (cap > SIZE_MAX / sizeof *grown)
        return ZMM_ERR_LIMIT;
    grown = zmm_realloc(m->blocks, (size_t)cap * sizeof *grown);
    if (grown == NULL)
        return ZMM_ERR_NOMEM;
    m->blocks = grown;
    m->block_capacity = (uint32_t)cap;
    return ZMM_OK;
}

static int block_ref_sound(const zmm_block_ref *b, uint32_t logical,
                           uint64_t data_end)
{
    switch (b->kind) {
    case ZMM_KIND_ZERO:
        return b->offset == 0 && b->stored_size == 0 && b->stored_crc == 0 &&
               b->logical_crc == 0;
    case ZMM_KIND_RAW:
        if (b->stored_size != logical || b->stored_crc != b->logical_crc)
            return 0;
        break;
    case ZMM_KIND_DEFLATE:
        if (b->stored_size == 0 || b->stored_size >= logical)
            return 0;
        break;
    case ZMM_KIND_PCM: /* its header is checked when it is decoded */
    case ZMM_KIND_PCM_CHAN:
    case ZMM_KIND_PCM_LPC:
    case ZMM_KIND_PCM_PLANAR:
        if (b->stored_size <= ZMM_PCM_HEADER_FIXED + 1 ||
            b->stored_size >= logical)
            return 0;
        break;
    default:
        return 0;
    }
    return b->offset >= ZMM_DATA_START && b->offset <= data_end &&
           b->stored_size <= data_end - b->offset;
}

static void decode_entry(const unsigned char *p, zmm_block_ref *b)
{
    uint32_t size_kind = zmm_load32(p + 8);

    b->offset = zmm_load64(p);
    b->stored_size = size_kind & 0xffffffu;
    b->kind = (unsigned char)(size_kind >> 24);
    b->stored_crc = zmm_load32(p + 12);
    b->logical_crc = zmm_load32(p + 16);
}

static void encode_entry(const zmm_block_ref *b, unsigned char *out)
{
    zmm_store64(out, b->offset);
    zmm_store32(out + 8, b->stored_size | ((uint32_t)b->kind << 24));
    zmm_store32(out + 12, b->stored_crc);
    zmm_store32(out + 16, b->logical_crc);
}

/* Room for a member of name_len bytes and count blocks: allocated for it
 * alone, or taken from a flat directory's pool (sized by a first pass;
 * checked again here, so a pass that disagreed can only fail). */
static zmm_result member_storage(flat_pool *pool, size_t name_len,
                                 uint32_t count, zmm_member **out)
{
    zmm_member *m;

    if (pool == NULL) {
        m = zmm_calloc(1, sizeof *m);
        if (m == NULL)
            return ZMM_ERR_NOMEM;
        m->name = zmm_malloc(name_len + 1);
        if (m->name == NULL || reserve_blocks(m, count) != ZMM_OK) {
            member_free(m);
            return ZMM_ERR_NOMEM;
        }
        *out = m;
        return ZMM_OK;
    }
    if (pool->members_left == 0 || pool->blocks_left < count ||
        pool->names_left < name_len + 1)
        return ZMM_ERR_CORRUPT;
    m = pool->members++;
    pool->members_left--;
    memset(m, 0, sizeof *m);
    m->name = pool->names;
    pool->names += name_len + 1;
    pool->names_left -= name_len + 1;
    m->blocks = pool->blocks;
    pool->blocks += count;
    pool->blocks_left -= count;
    m->block_capacity = count;
    *out = m;
    return ZMM_OK;
}

static zmm_result decode_member(const unsigned char *p, size_t left,
                                uint64_t data_end, flat_pool *pool,
                                zmm_member **out, size_t *used)
{
    size_t name_len = zmm_load16(p);
    unsigned shift = p[2];
    int level = p[3];
    unsigned flags = zmm_load32(p + 4);
    uint64_t length = zmm_load64(p + 8);
    uint32_t count = zmm_load32(p + 16), i;
    size_t pcm_size = (flags & ZMM_MEMBER_PCM) ? ZMM_PCM_RECORD_SIZE : 0;
    size_t dict_size = (flags & ZMM_MEMBER_DICT) ? ZMM_DICT_RECORD_SIZE : 0;
    size_t extra = pcm_size + dict_size;
    zmm_block_ref dict;
    uint32_t dict_length = 0;
    zmm_pcm_layout pcm;
    zmm_member *m;
    zmm_result rc;

    memset(&pcm, 0, sizeof pcm);
    memset(&dict, 0, sizeof dict);
    if (name_len == 0 || name_len > ZMM_MAX_NAME_BYTES || shift < 12 ||
        shift > 20 || level > 9 ||
        (flags & ~(ZMM_MEMBER_DEFAULT | ZMM_MEMBER_PCM | ZMM_MEMBER_DICT)) !=
            0 ||
        length > (uint64_t)INT64_MAX ||
        blocks_for_length(length, shift) != count ||
        name_len > left - ZMM_MEMBER_RECORD_SIZE ||
        extra > left - ZMM_MEMBER_RECORD_SIZE - name_len ||
        (uint64_t)count * ZMM_BLOCK_ENTRY_SIZE >
            left - ZMM_MEMBER_RECORD_SIZE - name_len - extra)
        return ZMM_ERR_CORRUPT;
    if (pcm_size != 0) {
        const unsigned char *q = p + ZMM_MEMBER_RECORD_SIZE + name_len;

        pcm.struct_size = sizeof pcm;
        pcm.offset = zmm_load64(q);
        pcm.length = zmm_load64(q + 8);
        pcm.bits = q[16];
        pcm.channels = q[17];
        if (!zmm_pcm_layout_valid(&pcm) || zmm_load16(q + 18) != 0)
            return ZMM_ERR_CORRUPT;
    }
    if (dict_size != 0) {
        const unsigned char *q = p + ZMM_MEMBER_RECORD_SIZE + name_len +
                                 pcm_size;

        dict_length = zmm_load32(q);
        decode_entry(q + 4, &dict);
        /* A plain block: raw or deflate, never zero, PCM or shared. */
        if (dict_length == 0 || dict_length > ZMM_MAX_DICTIONARY ||
            (dict.kind != ZMM_KIND_RAW && dict.kind != ZMM_KIND_DEFLATE) ||
            !block_ref_sound(&dict, dict_length, data_end))
            return ZMM_ERR_CORRUPT;
    }
    rc = member_storage(pool, name_len, count, &m);
    if (rc != ZMM_OK)
        return rc;
    memcpy(m->name, p + ZMM_MEMBER_RECORD_SIZE, name_len);
    m->name[name_len] = '\0';
    m->block_shift = shift;
    m->level = level;
    m->flags = flags;
    m->length = length;
    m->pcm = pcm;
    m->dict_length = dict_length;
    m->dict = dict;
    m->block_count = count;
    m->changed_from = ZMM_UNCHANGED;
    rc = zmm_name_is_storable(m->name) && strlen(m->name) == name_len
             ? ZMM_OK : ZMM_ERR_CORRUPT;
    p += ZMM_MEMBER_RECORD_SIZE + name_len + extra;
    for (i = 0; rc == ZMM_OK && i < count; i++, p += ZMM_BLOCK_ENTRY_SIZE) {
        zmm_block_ref *b = &m->blocks[i];

        decode_entry(p, b);
        if (!block_ref_sound(b, zmm_member_block_length(m, i), data_end))
            rc = ZMM_ERR_CORRUPT;
    }
    if (rc != ZMM_OK) {
        if (pool == NULL)
            member_free(m);
        return rc;
    }
    *out = m;
    *used = ZMM_MEMBER_RECORD_SIZE + name_len + extra +
            (size_t)count * ZMM_BLOCK_ENTRY_SIZE;
    return ZMM_OK;
}

static int compare_names(const void *a, const void *b)
{
    const zmm_member *const *ma = a, *const *mb = b;

    return strcmp((*ma)->name, (*mb)->name);
}

/* Names must be unique and at most one member the default; sorting a copy
 * keeps the check O(n log n) for a directory of 65535 members. */
static zmm_result check_members(const zmm_directory *dir)
{
    zmm_member **sorted;
    uint32_t i, defaults = 0;
    zmm_result rc = ZMM_OK;

    if (dir->count < 2)
        return ZMM_OK;
    sorted = zmm_malloc(dir->count * sizeof *sorted);
    if (sorted == NULL)
        return ZMM_ERR_NOMEM;
    memcpy(sorted, dir->members, dir->count * sizeof *sorted);
    qsort(sorted, dir->count, sizeof *sorted, compare_names);
    for (i = 0; i < dir->count; i++) {
        defaults += (sorted[i]->flags & ZMM_MEMBER_DEFAULT) != 0;
        if (i > 0 && strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
            rc = ZMM_ERR_CORRUPT;
    }
    zmm_free(sorted);
    return defaults > 1 ? ZMM_ERR_CORRUPT : rc;
}

/* The first pass of a flat decode: the bytes of every member's storage,
 * walking the records as decode_member() will (it checks them). */
static zmm_result make_pool(const unsigned char *buf, size_t len,
                            uint32_t count, zmm_directory *dir,
                            flat_pool *pool)
{
    size_t pos = ZMM_DIRECTORY_HEADER_SIZE, names = 0, bytes;
    uint64_t blocks = 0;
    uint32_t i;

    for (i = 0; i < count; i++) {
        const unsigned char *p = buf + pos;
        size_t name_len, record;
        unsigned flags;
        uint32_t n;

        if (len - pos < ZMM_MEMBER_RECORD_SIZE)
            return ZMM_ERR_CORRUPT;
        name_len = zmm_load16(p);
        flags = zmm_load32(p + 4);
        n = zmm_load32(p + 16);
        record = ZMM_MEMBER_RECORD_SIZE + name_len +
                 ((flags & ZMM_MEMBER_PCM) ? ZMM_PCM_RECORD_SIZE : 0) +
                 ((flags & ZMM_MEMBER_DICT) ? ZMM_DICT_RECORD_SIZE : 0);
        if (record > len - pos ||
            (uint64_t)n * ZMM_BLOCK_ENTRY_SIZE > len - pos - record)
            return ZMM_ERR_CORRUPT;
        pos += record + (size_t)n * ZMM_BLOCK_ENTRY_SIZE;
        names += name_len + 1;
        blocks += n;
    }
    /* Each part is below the directory's size (64 MiB at most): no
     * overflow, and no more than a small multiple of it. */
    bytes = (size_t)count * sizeof(zmm_member) +
            (size_t)blocks * sizeof(zmm_block_ref) + names;
    dir->pool = zmm_malloc(bytes ? bytes : 1);
    if (dir->pool == NULL)
        return ZMM_ERR_NOMEM;
    pool->members = dir->pool;
    pool->blocks = (zmm_block_ref *)(pool->members + count);
    pool->names = (char *)(pool->blocks + blocks);
    pool->members_left = count;
    pool->blocks_left = blocks;
    pool->names_left = names;
    return ZMM_OK;
}

static zmm_result decode(const unsigned char *buf, size_t len,
                         uint64_t data_end, int flat, zmm_directory *dir)
{
    uint32_t count, i;
    size_t pos = ZMM_DIRECTORY_HEADER_SIZE;
    flat_pool storage, *pool = NULL;
    zmm_result rc = ZMM_OK;

    memset(dir, 0, sizeof *dir);
    if (len < ZMM_DIRECTORY_HEADER_SIZE ||
        memcmp(buf, directory_magic, 4) != 0)
        return ZMM_ERR_CORRUPT;
    count = zmm_load32(buf + 4);
    if (count > ZMM_MAX_MEMBERS || zmm_load32(buf + 8) != 0 ||
        zmm_load32(buf + 12) != 0 ||
        (uint64_t)count * (ZMM_MEMBER_RECORD_SIZE + 1) > len - pos)
        return ZMM_ERR_CORRUPT;
    if (flat) {
        rc = make_pool(buf, len, count, dir, &storage);
        pool = &storage;
        if (rc != ZMM_OK) {
            zmm_directory_free(dir);
            return rc;
        }
    }
    rc = reserve_members(dir, count);
    for (i = 0; rc == ZMM_OK && i < count; i++) {
        size_t used;
        zmm_member *m;

        if (len - pos < ZMM_MEMBER_RECORD_SIZE) {
            rc = ZMM_ERR_CORRUPT;
            break;
        }
        rc = decode_member(buf + pos, len - pos, data_end, pool, &m,
                           &used);
        if (rc == ZMM_OK) {
            dir->members[dir->count++] = m;
            dir->total_blocks += m->block_count;
            pos += used;
        }
    }
    if (rc == ZMM_OK && pos != len)
        rc = ZMM_ERR_CORRUPT;
    if (rc == ZMM_OK)
        rc = check_members(dir);
    if (rc != ZMM_OK)
        zmm_directory_free(dir);
    return rc;
}

zmm_result zmm_directory_decode(const unsigned char *buf, size_t len,
                                uint64_t data_end, zmm_directory *dir)
{
    return decode(buf, len, data_end, 0, dir);
}

zmm_result zmm_directory_decode_flat(const unsigned char *buf, size_t len,
                                     uint64_t data_end, zmm_directory *dir)
{
    return decode(buf, len, data_end, 1, dir);
}

zmm_result zmm_directory_encoded_size(const zmm_directory *dir, size_t *size)
{
    uint64_t total = ZMM_DIRECTORY_HEADER_SIZE;
    uint32_t i;

    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];

        total += ZMM_MEMBER_RECORD_SIZE + strlen(m->name) +
                 ((m->flags & ZMM_MEMBER_PCM) ? ZMM_PCM_RECORD_SIZE : 0) +
                 ((m->flags & ZMM_MEMBER_DICT) ? ZMM_DICT_RECORD_SIZE : 0) +
                 (uint64_t)m->block_count * ZMM_BLOCK_ENTRY_SIZE;
    }
    if (total > ZMM_MAX_DIRECTORY)
        return ZMM_ERR_LIMIT;
    *size = (size_t)total;
    return ZMM_OK;
}

void zmm_directory_encode(const zmm_directory *dir, unsigned char *out)
{
    uint32_t i, j;

    memcpy(out, directory_magic, 4);
    zmm_store32(out + 4, dir->count);
    memset(out + 8, 0, 8);
    out += ZMM_DIRECTORY_HEADER_SIZE;
    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];
        size_t name_len = strlen(m->name);

        zmm_store16(out, (uint16_t)name_len);
        out[2] = (unsigned char)m->block_shift;
        out[3] = (unsigned char)m->level;
        zmm_store32(out + 4, m->flags);
        zmm_store64(out + 8, m->length);
        zmm_store32(out + 16, m->block_count);
        memcpy(out + ZMM_MEMBER_RECORD_SIZE, m->name, name_len);
        out += ZMM_MEMBER_RECORD_SIZE + name_len;
        if (m->flags & ZMM_MEMBER_PCM) {
            zmm_store64(out, m->pcm.offset);
            zmm_store64(out + 8, m->pcm.length);
            out[16] = (unsigned char)m->pcm.bits;
            out[17] = (unsigned char)m->pcm.channels;
            zmm_store16(out + 18, 0);
            out += ZMM_PCM_RECORD_SIZE;
        }
        if (m->flags & ZMM_MEMBER_DICT) {
            zmm_store32(out, m->dict_length);
            encode_entry(&m->dict, out + 4);
            out += ZMM_DICT_RECORD_SIZE;
        }
        for (j = 0; j < m->block_count; j++, out += ZMM_BLOCK_ENTRY_SIZE)
            encode_entry(&m->blocks[j], out);
    }
}

long zmm_directory_find(const zmm_directory *dir, const char *name)
{
    uint32_t i;

    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];

        if (name == NULL || name[0] == '\0' ? (m->flags & ZMM_MEMBER_DEFAULT)
                                            : strcmp(m->name, name) == 0)
            return (long)i;
    }
    return -1;
}

zmm_result zmm_directory_add(zmm_directory *dir, const char *name,
                             unsigned block_shift, int level,
                             zmm_member **out)
{
    zmm_member *m;
    size_t len = strlen(name);

    if (dir->count >= ZMM_MAX_MEMBERS)
        return ZMM_ERR_LIMIT;
    if (reserve_members(dir, dir->count + 1) != ZMM_OK)
        return ZMM_ERR_NOMEM;
    m = zmm_calloc(1, sizeof *m);
    if (m == NULL)
        return ZMM_ERR_NOMEM;
    m->name = zmm_malloc(len + 1);
    if (m->name == NULL) {
        member_free(m);
        return ZMM_ERR_NOMEM;
    }
    memcpy(m->name, name, len + 1);
    m->block_shift = block_shift;
    m->level = level;
    m->changed_from = 0;
    dir->members[dir->count++] = m;
    *out = m;
    return ZMM_OK;
}

void zmm_directory_remove(zmm_directory *dir, uint32_t index)
{
    zmm_member *m = dir->members[index];

    dir->total_blocks -= m->block_count;
    member_free(m);
    memmove(&dir->members[index], &dir->members[index + 1],
            (dir->count - index - 1) * sizeof dir->members[0]);
    dir->count--;
}

zmm_result zmm_member_resize(zmm_directory *dir, zmm_member *m,
                             uint64_t length)
{
    uint64_t count, others = dir->total_blocks - m->block_count;
    uint32_t i;
    zmm_result rc;

    if (length > (uint64_t)INT64_MAX)
        return ZMM_ERR_LIMIT;
    count = blocks_for_length(length, m->block_shift);
    if (count + others > zmm_directory_max_blocks())
        return ZMM_ERR_LIMIT;
    rc = reserve_blocks(m, count);
    if (rc != ZMM_OK)
        return rc;
    for (i = m->block_count; i < count; i++)
        memset(&m->blocks[i], 0, sizeof m->blocks[i]); /* zero blocks */
    /* Blocks full at both lengths keep their entries; from the first that
     * is not, a delta record gives them again. */
    zmm_member_note_change(
        m, (uint32_t)((length < m->length ? length : m->length) >>
                      m->block_shift));
    m->block_count = (uint32_t)count;
    m->length = length;
    dir->total_blocks = others + count;
    return ZMM_OK;
}

int zmm_directory_uses_pcm(const zmm_directory *dir)
{
    uint32_t i, j;

    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];

        if (m->flags & ZMM_MEMBER_PCM)
            return 1;
        for (j = 0; j < m->block_count; j++)
            if (ZMM_KIND_IS_PCM(m->blocks[j].kind))
                return 1;
    }
    return 0;
}

int zmm_directory_uses_kind(const zmm_directory *dir, unsigned kind)
{
    uint32_t i, j;

    for (i = 0; i < dir->count; i++)
        for (j = 0; j < dir->members[i]->block_count; j++)
            if (dir->members[i]->blocks[j].kind == kind)
                return 1;
    return 0;
}

int zmm_directory_uses_dict(const zmm_directory *dir)
{
    uint32_t i;

    for (i = 0; i < dir->count; i++)
        if (dir->members[i]->flags & ZMM_MEMBER_DICT)
            return 1;
    return 0;
}

uint64_t zmm_member_packed_size(const zmm_member *m)
{
    uint64_t total = (m->flags & ZMM_MEMBER_DICT) ? m->dict.stored_size : 0;
    uint32_t i;

    for (i = 0; i < m->block_count; i++)
        total += m->blocks[i].stored_size;
    return total;
}

void zmm_member_note_change(zmm_member *m, uint32_t index)
{
    if (index < m->changed_from)
        m->changed_from = index;
}

void zmm_block_entry_decode(const unsigned char *p, zmm_block_ref *b)
{
    decode_entry(p, b);
}

void zmm_block_entry_encode(const zmm_block_ref *b, unsigned char *out)
{
    encode_entry(b, out);
}

int zmm_block_ref_sound(const zmm_block_ref *b, uint32_t logical,
                        uint64_t data_end)
{
    return block_ref_sound(b, logical, data_end);
}
