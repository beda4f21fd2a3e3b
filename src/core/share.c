/*
 * share.c -- archives opened for reading once per process (zmm_share).
 *
 * Every open opens the file itself -- so the path is looked up afresh, the
 * OS applies its sharing rules, and nothing is held open once the last
 * stream closes -- and reads the two header slots (two small reads). If a
 * snapshot made from the same file (by identity, not by path) and the same
 * header bytes is remembered, it is reused: no directory is read or
 * parsed. Otherwise the state is read and remembered. A commit, by this
 * process or another, changes the header bytes; a file replaced under the
 * same name has another identity: either way the next open reads the new
 * state, while streams already open keep theirs. (Even a snapshot taken
 * for the wrong file could not return wrong bytes: equal header bytes name
 * a directory of the same CRC, and every block is read through its own.)
 */
#include <string.h>

#include "names.h"
#include "alloc.h"
#include "header.h"
#include "shared_cache.h"
#include "snapshot.h"
#include "state.h"
#include "stream.h"
#include "thread.h"
#include "zmm.h"

/* Snapshots remembered for files with no stream open: a game's few packs.
 * Beyond that the least recently used is forgotten (streams open on it
 * keep it alive). */
#define SHARE_ENTRIES 16

typedef struct share_entry {
    zmm_file_id id;
    zmm_snapshot *snap; /* NULL: a free entry */
    uint64_t last_use;
} share_entry;

struct zmm_share {
    zmm_mutex *lock;
    share_entry entries[SHARE_ENTRIES];
    uint64_t clock;
    zmm_shared_cache *cache; /* decoded blocks of every archive */
    zmm_readahead_pool *pool; /* read-ahead: share_pool_threads() at most */
};

/* Read-ahead threads for the share's readers: one fewer than processors,
 * at least one. A reader decodes too (the block it finds still queued, or
 * the next one while a worker finishes its own: stream.c), so one reader
 * and one worker fill two cores, as with an archive opened on its own (a
 * private pool of one thread). A worker per processor besides made three
 * decoding threads on two cores for a single reader, and its sequential
 * reads under Wine 0.89-0.96x those of the same stream from a private pool. */
static unsigned share_pool_threads(void)
{
    unsigned cpus = zmm_cpu_count();

    return cpus > 1 ? cpus - 1 : 1;
}

zmm_result zmm_share_new(zmm_share **out)
{
    zmm_share *sh;

    if (out == NULL)
        return ZMM_ERR_INVALID_ARG;
    *out = NULL;
    sh = zmm_calloc(1, sizeof *sh);
    if (sh == NULL)
        return ZMM_ERR_NOMEM;
    sh->lock = zmm_mutex_new();
    sh->cache = zmm_shared_cache_new(ZMM_SHARED_CACHE_DEFAULT);
    sh->pool = zmm_readahead_pool_new(share_pool_threads());
    if (sh->lock == NULL || sh->cache == NULL || sh->pool == NULL) {
        zmm_mutex_free(sh->lock);
        zmm_shared_cache_unref(sh->cache);
        zmm_readahead_pool_unref(sh->pool);
        zmm_free(sh);
        return ZMM_ERR_NOMEM;
    }
    *out = sh;
    return ZMM_OK;
}

void zmm_share_free(zmm_share *sh)
{
    unsigned i;

    if (sh == NULL)
        return;
    for (i = 0; i < SHARE_ENTRIES; i++)
        zmm_snapshot_unref(sh->entries[i].snap);
    zmm_shared_cache_unref(sh->cache); /* streams may hold it still */
    zmm_readahead_pool_unref(sh->pool); /* and this */
    zmm_mutex_free(sh->lock);
    zmm_free(sh);
}

size_t zmm_share_set_cache_limit(zmm_share *sh, size_t bytes)
{
    return sh != NULL ? zmm_shared_cache_set_budget(sh->cache, bytes) : 0;
}

size_t zmm_share_cache_bytes(zmm_share *sh)
{
    return sh != NULL ? zmm_shared_cache_bytes(sh->cache) : 0;
}

static int same_id(const zmm_file_id *a, const zmm_file_id *b)
{
    return a->volume == b->volume && a->index == b->index;
}

/* The remembered snapshot of file `id`, referenced, if it is current. */
static zmm_snapshot *find_current(zmm_share *sh, const zmm_file_id *id,
                                  const zmm_slot_bytes *slots)
{
    zmm_snapshot *snap = NULL;
    unsigned i;

    zmm_mutex_lock(sh->lock);
    for (i = 0; i < SHARE_ENTRIES; i++) {
        share_entry *e = &sh->entries[i];

        if (e->snap != NULL && same_id(&e->id, id)) {
            if (zmm_snapshot_is_current(e->snap, slots)) {
                snap = e->snap;
                zmm_snapshot_ref(snap);
                e->last_use = ++sh->clock;
            }
            break;
        }
    }
    zmm_mutex_unlock(sh->lock);
    return snap;
}

/* Remembers `snap` as file id's state, replacing an older one of the same
 * file, or else the least recently used entry. */
static void remember(zmm_share *sh, const zmm_file_id *id, zmm_snapshot *snap)
{
    share_entry *slot = NULL;
    zmm_snapshot *old;
    unsigned i;

    zmm_mutex_lock(sh->lock);
    for (i = 0; i < SHARE_ENTRIES; i++) {
        share_entry *e = &sh->entries[i];

        if (e->snap != NULL && same_id(&e->id, id)) {
            slot = e;
            break;
        }
        if (slot == NULL || (slot->snap != NULL &&
                             (e->snap == NULL ||
                              e->last_use < slot->last_use)))
            slot = e;
    }
    old = slot->snap;
    zmm_snapshot_ref(snap);
    slot->snap = snap;
    slot->id = *id;
    slot->last_use = ++sh->clock;
    zmm_mutex_unlock(sh->lock);
    zmm_snapshot_unref(old);
}

/* The snapshot for an opened file: remembered, or read now. The common
 * case costs two small reads: the header slots of a file at least a slot
 * long, whose bytes match the remembered state's (the directory that
 * state names ends inside the file, or reading a block past the end fails
 * as damage). Otherwise the size is taken and the state read in full. */
static zmm_result current_snapshot(zmm_share *sh, zmm_file *file,
                                   zmm_snapshot **out, zmm_file_id *id,
                                   int *has_id)
{
    zmm_slot_bytes slots;
    uint64_t size;
    zmm_result rc;

    *has_id = file->methods->identity != NULL &&
              file->methods->identity(file, id) == ZMM_OK;
    if (*has_id &&
        zmm_state_read_slots(file, ZMM_SLOT1_OFFSET + ZMM_SLOT_SIZE,
                             &slots) == ZMM_OK &&
        (*out = find_current(sh, id, &slots)) != NULL)
        return ZMM_OK;
    rc = file->methods->size(file, &size);
    if (rc == ZMM_OK)
        rc = zmm_state_read_slots(file, size, &slots);
    if (rc == ZMM_OK)
        rc = zmm_snapshot_load(file, size, &slots, out);
    if (rc == ZMM_OK && *has_id)
        remember(sh, id, *out);
    return rc;
}

zmm_result zmm_share_open(zmm_share *sh, const char *path,
                          unsigned archive_flags, const char *member,
                          unsigned stream_flags, zmm_stream **out,
                          long *os_error)
{
    unsigned file_flags =
        archive_flags & (ZMM_OPEN_DENY_READ | ZMM_OPEN_DENY_WRITE);
    zmm_snapshot *snap = NULL;
    zmm_file *file;
    zmm_file_id id;
    int has_id = 0;
    long error = 0, index;
    zmm_result rc;

    if (out != NULL)
        *out = NULL;
    if (os_error != NULL)
        *os_error = 0;
    if (sh == NULL || path == NULL || out == NULL ||
        (archive_flags & ~(ZMM_OPEN_DENY_READ | ZMM_OPEN_DENY_WRITE)) != 0 ||
        (stream_flags & ~ZMM_STREAM_NO_READAHEAD) != 0)
        return ZMM_ERR_INVALID_ARG;
    if (member != NULL && member[0] != '\0' && !zmm_name_is_storable(member))
        return ZMM_ERR_BAD_NAME;
    rc = zmm_platform_open(path, file_flags, &file, &error);
    if (rc == ZMM_OK) {
        rc = current_snapshot(sh, file, &snap, &id, &has_id);
        if (rc != ZMM_OK) {
            error = file->os_error;
            (void)file->methods->close(file);
        }
    }
    if (rc == ZMM_OK) {
        index = zmm_snapshot_find(snap, member);
        if (index < 0) {
            /* As zmm_archive_open_member: missing from an older state
             * the open fell back to is damage, not absence. */
            rc = snap->lost_generation != 0 ? ZMM_ERR_CORRUPT
                                            : ZMM_ERR_NOT_FOUND;
            (void)file->methods->close(file);
            zmm_snapshot_unref(snap);
        } else {
            /* Blocks are shared by the file's identity: a file without
             * one keeps its blocks to itself. */
            rc = zmm_stream_open_snapshot(snap, (uint32_t)index, file,
                                          has_id ? sh->cache : NULL, &id,
                                          sh->pool, stream_flags, out);
        }
    }
    if (os_error != NULL)
        *os_error = error;
    return rc;
}
