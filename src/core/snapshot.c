/* snapshot.c -- a committed state parsed once, shared by readers. */
#include "snapshot.h"

#include <string.h>

#include "alloc.h"
#include "metadata.h"

/* FNV-1a: short names, no attacker gains from collisions but a slower
 * lookup, which the load factor (at most 2/3) keeps short. */
static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u;

    while (*name != '\0')
        h = (h ^ (unsigned char)*name++) * 16777619u;
    return h;
}

static zmm_result build_index(zmm_snapshot *snap)
{
    uint32_t size = 2, i;

    while (size < snap->count + snap->count / 2 + 1)
        size *= 2;
    snap->index = zmm_calloc(size, sizeof *snap->index);
    if (snap->index == NULL)
        return ZMM_ERR_NOMEM;
    snap->index_mask = size - 1;
    snap->default_member = -1;
    for (i = 0; i < snap->count; i++) {
        const zmm_snapshot_member *m = &snap->members[i];
        uint32_t h = name_hash(snap->names + m->name) & snap->index_mask;

        while (snap->index[h] != 0)
            h = (h + 1) & snap->index_mask;
        snap->index[h] = (uint16_t)(i + 1);
        if (m->flags & ZMM_MEMBER_DEFAULT)
            snap->default_member = (long)i;
    }
    return ZMM_OK;
}

/* Copies a decoded directory into the snapshot's compact arrays. */
static zmm_result compact(zmm_snapshot *snap, const zmm_directory *dir)
{
    size_t name_bytes = 0, blocks = 0, extras = 0;
    uint32_t i;

    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];

        name_bytes += strlen(m->name) + 1;
        blocks += m->block_count;
        extras += (m->flags & (ZMM_MEMBER_PCM | ZMM_MEMBER_DICT)) != 0;
    }
    snap->members = zmm_calloc(dir->count + 1, sizeof *snap->members);
    snap->blocks = zmm_calloc(blocks + 1, sizeof *snap->blocks);
    snap->extras = zmm_calloc(extras + 1, sizeof *snap->extras);
    snap->names = zmm_malloc(name_bytes + 1);
    if (snap->members == NULL || snap->blocks == NULL ||
        snap->extras == NULL || snap->names == NULL)
        return ZMM_ERR_NOMEM;
    if (zmm_directory_uses_meta(dir)) {
        snap->meta = zmm_calloc(dir->count + 1, sizeof *snap->meta);
        if (snap->meta == NULL)
            return ZMM_ERR_NOMEM;
        snap->bytes += dir->count * sizeof *snap->meta;
    }
    snap->bytes += dir->count * sizeof *snap->members +
                  blocks * sizeof *snap->blocks +
                  extras * sizeof *snap->extras + name_bytes;
    snap->count = dir->count;
    name_bytes = blocks = extras = 0;
    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];
        zmm_snapshot_member *c = &snap->members[i];
        size_t len = strlen(m->name) + 1;

        c->length = m->length;
        c->name = (uint32_t)name_bytes;
        c->first_block = (uint32_t)blocks;
        c->block_count = m->block_count;
        c->flags = m->flags;
        c->block_shift = (uint8_t)m->block_shift;
        c->level = (int8_t)m->level;
        if (snap->meta != NULL) {
            snap->meta[i].mtime = m->mtime;
            snap->meta[i].mtime_nsec = m->mtime_nsec;
            snap->meta[i].mode = (uint16_t)m->mode;
            snap->meta[i].meta = (uint16_t)m->meta;
        }
        memcpy(snap->names + name_bytes, m->name, len);
        name_bytes += len;
        memcpy(snap->blocks + blocks, m->blocks,
               m->block_count * sizeof *m->blocks);
        blocks += m->block_count;
        if (m->flags & (ZMM_MEMBER_PCM | ZMM_MEMBER_DICT)) {
            zmm_snapshot_extra *x = &snap->extras[extras++];

            x->pcm = m->pcm;
            x->dict_length = m->dict_length;
            x->dict = m->dict;
            c->extra = (uint32_t)extras;
        }
    }
    return ZMM_OK;
}

zmm_result zmm_snapshot_load(zmm_file *f, uint64_t size,
                             const zmm_slot_bytes *slots, zmm_snapshot **out)
{
    zmm_snapshot *snap;
    zmm_state st;
    zmm_result rc;

    *out = NULL;
    snap = zmm_calloc(1, sizeof *snap);
    if (snap == NULL)
        return ZMM_ERR_NOMEM;
    atomic_init(&snap->refs, 1);
    snap->slots = *slots;
    /* Decoded flat (one allocation; a delta chain is applied to a
     * directory decoded whole), then made compact. The same state as
     * zmm_archive_open reads: the older one when the newest fails. */
    rc = zmm_state_load(f, size, slots, 1, &st);
    if (rc == ZMM_OK) {
        snap->slot = st.slot;
        snap->lost_generation = st.lost_generation;
        rc = compact(snap, &st.dir);
        zmm_directory_free(&st.dir);
    }
    if (rc == ZMM_OK)
        rc = build_index(snap);
    if (rc != ZMM_OK) {
        zmm_snapshot_unref(snap);
        return rc;
    }
    *out = snap;
    return ZMM_OK;
}

int zmm_snapshot_is_current(const zmm_snapshot *snap,
                            const zmm_slot_bytes *slots)
{
    return memcmp(&snap->slots, slots, sizeof *slots) == 0;
}

long zmm_snapshot_find(const zmm_snapshot *snap, const char *name)
{
    uint32_t h, i;

    if (name == NULL || name[0] == '\0')
        return snap->default_member;
    for (h = name_hash(name) & snap->index_mask; (i = snap->index[h]) != 0;
         h = (h + 1) & snap->index_mask)
        if (strcmp(snap->names + snap->members[i - 1].name, name) == 0)
            return (long)(i - 1);
    return -1;
}

void zmm_snapshot_member_get(const zmm_snapshot *snap, uint32_t index,
                             zmm_member *out)
{
    const zmm_snapshot_member *c = &snap->members[index];

    memset(out, 0, sizeof *out);
    out->name = snap->names + c->name; /* never written through */
    out->block_shift = c->block_shift;
    out->level = c->level;
    out->flags = c->flags;
    out->length = c->length;
    if (c->extra != 0) {
        const zmm_snapshot_extra *x = &snap->extras[c->extra - 1];

        out->pcm = x->pcm;
        out->dict_length = x->dict_length;
        out->dict = x->dict;
    }
    if (snap->meta != NULL) {
        const zmm_snapshot_meta *x = &snap->meta[index];

        out->mtime = x->mtime;
        out->mtime_nsec = x->mtime_nsec;
        out->mode = x->mode;
        out->meta = x->meta;
    }
    out->block_count = out->block_capacity = c->block_count;
    out->blocks = snap->blocks + c->first_block;
}

void zmm_snapshot_ref(zmm_snapshot *snap)
{
    atomic_fetch_add(&snap->refs, 1);
}

void zmm_snapshot_unref(zmm_snapshot *snap)
{
    if (snap == NULL || atomic_fetch_sub(&snap->refs, 1) != 1)
        return;
    zmm_free(snap->members);
    zmm_free(snap->blocks);
    zmm_free(snap->extras);
    zmm_free(snap->names);
    zmm_free(snap->meta);
    zmm_free(snap->index);
    zmm_free(snap);
}

size_t zmm_snapshot_memory(const zmm_snapshot *snap)
{
    return sizeof *snap + snap->bytes +
           (snap->index_mask + 1u) * sizeof(uint16_t);
}
