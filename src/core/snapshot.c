/* snapshot.c -- a committed state parsed once, shared by readers. */
#include "snapshot.h"

#include <string.h>

#include "alloc.h"

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

    while (size < snap->dir.count + snap->dir.count / 2 + 1)
        size *= 2;
    snap->index = zmm_calloc(size, sizeof *snap->index);
    if (snap->index == NULL)
        return ZMM_ERR_NOMEM;
    snap->index_mask = size - 1;
    snap->default_member = -1;
    for (i = 0; i < snap->dir.count; i++) {
        const zmm_member *m = snap->dir.members[i];
        uint32_t h = name_hash(m->name) & snap->index_mask;

        while (snap->index[h] != 0)
            h = (h + 1) & snap->index_mask;
        snap->index[h] = (uint16_t)(i + 1);
        if (m->flags & ZMM_MEMBER_DEFAULT)
            snap->default_member = (long)i;
    }
    return ZMM_OK;
}

zmm_result zmm_snapshot_load(zmm_file *f, uint64_t size,
                             const zmm_slot_bytes *slots, zmm_snapshot **out)
{
    zmm_snapshot *snap;
    unsigned char *buf;
    int slot_index, other_damaged;
    zmm_result rc;

    *out = NULL;
    snap = zmm_calloc(1, sizeof *snap);
    if (snap == NULL)
        return ZMM_ERR_NOMEM;
    atomic_init(&snap->refs, 1);
    snap->slots = *slots;
    rc = zmm_state_read(f, size, slots, &snap->slot, &slot_index,
                        &other_damaged, &buf);
    if (rc == ZMM_OK) {
        uint64_t state_bytes;
        uint32_t chain;

        rc = zmm_state_decode(f, &snap->slot, buf, 1, &snap->dir,
                              &state_bytes, &chain);
        zmm_free(buf);
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
        if (strcmp(snap->dir.members[i - 1]->name, name) == 0)
            return (long)(i - 1);
    return -1;
}

void zmm_snapshot_ref(zmm_snapshot *snap)
{
    atomic_fetch_add(&snap->refs, 1);
}

void zmm_snapshot_unref(zmm_snapshot *snap)
{
    if (snap == NULL || atomic_fetch_sub(&snap->refs, 1) != 1)
        return;
    zmm_directory_free(&snap->dir);
    zmm_free(snap->index);
    zmm_free(snap);
}

size_t zmm_snapshot_memory(const zmm_snapshot *snap)
{
    size_t bytes = sizeof *snap + (snap->index_mask + 1u) * sizeof(uint16_t) +
                   snap->dir.capacity * sizeof(zmm_member *);
    uint32_t i;

    for (i = 0; i < snap->dir.count; i++) {
        const zmm_member *m = snap->dir.members[i];

        bytes += sizeof *m + strlen(m->name) + 1 +
                 (size_t)m->block_count * sizeof(zmm_block_ref);
    }
    return bytes;
}
