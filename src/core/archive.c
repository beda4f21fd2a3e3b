/*
 * archive.c -- opening, committing and editing an archive's members.
 *
 * A commit appends the directory after the blocks written since the last
 * one, syncs, and only then overwrites the slot that does not hold the
 * committed generation (docs/FORMAT.md, "Commit protocol").
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "alloc.h"
#include "archive_private.h"
#include "archive_file.h"
#include "delta.h"
#include "metadata.h"
#include "state.h"
#include "struct_size.h"

static zmm_result file_result(zmm_archive *ar, zmm_result rc)
{
    if (rc != ZMM_OK && ar->file->os_error != 0)
        ar->os_error = ar->file->os_error;
    return rc;
}

zmm_result zmm_archive_read(zmm_archive *ar, uint64_t offset, void *buf,
                            size_t len)
{
    if (len == 0)
        return ZMM_OK;
    return file_result(ar, ar->file->methods->read_at(ar->file, offset, buf,
                                                      len));
}

/* A failed write or sync leaves the file's tail unknown (and a failed sync
 * may have dropped earlier writes): the archive publishes nothing after it. */
static zmm_result write_failed(zmm_archive *ar, zmm_result rc)
{
    if (rc != ZMM_OK && ar->failed == ZMM_OK)
        ar->failed = rc;
    return rc;
}

static zmm_result write_at(zmm_archive *ar, uint64_t offset, const void *buf,
                           size_t len)
{
    return write_failed(ar, file_result(ar, ar->file->methods->write_at(
                                                 ar->file, offset, buf, len)));
}

static zmm_result sync_file(zmm_archive *ar)
{
    return write_failed(ar,
                        file_result(ar, ar->file->methods->sync(ar->file)));
}

zmm_result zmm_archive_append(zmm_archive *ar, const void *buf, size_t len,
                              uint64_t *offset)
{
    zmm_result rc = write_at(ar, ar->append_pos, buf, len);

    if (rc != ZMM_OK)
        return rc;
    *offset = ar->append_pos;
    ar->append_pos += len;
    return ZMM_OK;
}

zmm_result zmm_archive_store_block(zmm_archive *ar, int level,
                                   const unsigned char *data, uint32_t n,
                                   const zmm_pcm_layout *pcm, uint64_t offset,
                                   unsigned pcm_max_kind,
                                   const unsigned char *dict,
                                   uint32_t dict_len, zmm_block_ref *ref)
{
    const unsigned char *stored;
    zmm_result rc;

    if (!ar->writable)
        return ZMM_ERR_READ_ONLY;
    if (ar->failed != ZMM_OK)
        return ZMM_ERR_STATE;
    if (ar->scratch_size < n) {
        unsigned char *grown = zmm_realloc(ar->scratch, n);

        if (grown == NULL)
            return ZMM_ERR_NOMEM;
        ar->scratch = grown;
        ar->scratch_size = n;
    }
    if (ar->encoder == NULL && (ar->encoder = zmm_codec_new()) == NULL)
        return ZMM_ERR_NOMEM;
    zmm_codec_use_dictionary(ar->encoder, dict, dict_len);
    rc = zmm_codec_encode(ar->encoder, level, data, n, pcm, offset,
                          pcm_max_kind, ar->scratch, ref, &stored);
    ref->offset = 0;
    if (rc == ZMM_OK && stored != NULL)
        rc = zmm_archive_append(ar, stored, ref->stored_size, &ref->offset);
    if (rc == ZMM_OK)
        ar->modified = 1;
    return rc;
}

zmm_result zmm_archive_store_encoded(zmm_archive *ar,
                                     const unsigned char *stored,
                                     zmm_block_ref *ref)
{
    zmm_result rc = ZMM_OK;

    if (!ar->writable)
        return ZMM_ERR_READ_ONLY;
    if (ar->failed != ZMM_OK)
        return ZMM_ERR_STATE;
    ref->offset = 0;
    if (stored != NULL)
        rc = zmm_archive_append(ar, stored, ref->stored_size, &ref->offset);
    if (rc == ZMM_OK)
        ar->modified = 1;
    return rc;
}

typedef struct byte_range {
    uint64_t start, end;
} byte_range;

static int by_start(const void *a, const void *b)
{
    const byte_range *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* Adds the stored bytes of every block and dictionary of ar's members to
 * r (which has room), returning how many ranges. */
static size_t stored_ranges(const zmm_archive *ar, byte_range *r)
{
    size_t n = 0;
    uint32_t i, b;

    for (i = 0; i < ar->dir.count; i++) {
        const zmm_member *m = ar->dir.members[i];

        if (m->flags & ZMM_MEMBER_DICT) {
            r[n].start = m->dict.offset;
            r[n++].end = m->dict.offset + m->dict.stored_size;
        }
        for (b = 0; b < m->block_count; b++) {
            r[n].start = m->blocks[b].offset;
            r[n++].end = m->blocks[b].offset + m->blocks[b].stored_size;
        }
    }
    return n;
}

/* Bytes of the file the committed state uses: the header area, the
 * directory and the stored bytes of every block and dictionary, each byte
 * counted once (FORMAT.md lets a reader open an archive whose blocks share
 * stored bytes, without checking). */
static uint64_t live_bytes(const zmm_archive *ar)
{
    /* The directory, the delta records chained to it, the metadata. */
    uint64_t total = ZMM_DATA_START + ar->state_bytes + ar->slot.meta_length,
             reach = 0;
    uint64_t end = ar->slot.directory_offset + ar->slot.directory_length;
    size_t room = ar->dir.count, n, i;
    byte_range *r;

    for (i = 0; i < ar->dir.count; i++)
        room += ar->dir.members[i]->block_count;
    r = zmm_malloc((room ? room : 1) * sizeof *r);
    if (r == NULL) { /* no memory: an overlap is counted twice */
        for (i = 0; i < ar->dir.count; i++)
            total += zmm_member_packed_size(ar->dir.members[i]);
        return total < end ? total : end;
    }
    n = stored_ranges(ar, r);
    qsort(r, n, sizeof *r, by_start);
    for (i = 0; i < n; i++) {
        uint64_t from = r[i].start > reach ? r[i].start : reach;

        if (r[i].end > from)
            total += r[i].end - from;
        if (r[i].end > reach)
            reach = r[i].end;
    }
    zmm_free(r);
    return total;
}

/* Delta records a writer chains at most before it writes a whole
 * directory again: a reader follows each with one read. */
#define WRITER_MAX_CHAIN 256u

/*
 * The bytes to publish: a delta record (a checkpoint that changed only
 * blocks and lengths, while the chain stays short and no longer than the
 * directory it saves rewriting) or the whole directory. *delta says which.
 */
static zmm_result encode_state(zmm_archive *ar, int checkpoint,
                               unsigned char **out, size_t *size,
                               int *delta)
{
    size_t full, changes = 0;
    zmm_result rc = zmm_directory_encoded_size(&ar->dir, &full);

    *out = NULL;
    if (rc != ZMM_OK)
        return rc;
    if (checkpoint && !ar->structure_changed && ar->slot.generation > 0 &&
        ar->chain < WRITER_MAX_CHAIN)
        changes = zmm_delta_encoded_size(&ar->dir);
    *delta = changes != 0 && ar->state_bytes + changes <= 2 * (uint64_t)full &&
             ar->state_bytes + changes <= ZMM_MAX_DIRECTORY;
    *size = *delta ? changes : full;
    *out = zmm_malloc(*size);
    if (*out == NULL)
        return ZMM_ERR_NOMEM;
    if (*delta)
        zmm_delta_encode(&ar->dir, ar->slot.directory_offset,
                         ar->slot.directory_length, ar->slot.directory_crc,
                         *out);
    else
        zmm_directory_encode(&ar->dir, *out);
    return ZMM_OK;
}

/* The changes are published: the next delta record starts from here. */
static void mark_published(zmm_archive *ar)
{
    uint32_t i;

    for (i = 0; i < ar->dir.count; i++)
        ar->dir.members[i]->changed_from = ZMM_UNCHANGED;
    ar->structure_changed = 0;
}

/* Writes and syncs a header slot. When that fails, the slot's old bytes
 * are put back (best effort): a failed commit leaves the file as it was. */
static zmm_result write_slot(zmm_archive *ar, uint64_t offset,
                             const unsigned char *slot_bytes)
{
    unsigned char old[ZMM_SLOT_SIZE];
    int have_old = ar->file->methods->read_at(ar->file, offset, old,
                                              sizeof old) == ZMM_OK;
    zmm_result rc = write_at(ar, offset, slot_bytes, ZMM_SLOT_SIZE);

    if (rc == ZMM_OK)
        rc = sync_file(ar);
    if (rc != ZMM_OK && have_old &&
        ar->file->methods->write_at(ar->file, offset, old, sizeof old) ==
            ZMM_OK)
        ar->file->methods->sync(ar->file);
    return rc;
}

/* The metadata table of the state to publish, in *next: none when no
 * member has metadata; for a delta record the committed one (metadata
 * changes need a whole directory); else a new table, appended before the
 * directory so that the state still ends with it (FORMAT.md, "Opening",
 * step 6, for readers without the feature too). Unknown compat bits are
 * cleared, as FORMAT.md asks of writers. */
static zmm_result append_meta(zmm_archive *ar, int delta, zmm_slot *next)
{
    unsigned char *table;
    size_t size;
    zmm_result rc;

    next->compat_features = 0;
    next->meta_offset = 0;
    next->meta_length = 0;
    if (!zmm_directory_uses_meta(&ar->dir))
        return ZMM_OK;
    next->compat_features = ZMM_COMPAT_META;
    if (delta && (ar->slot.compat_features & ZMM_COMPAT_META)) {
        next->meta_offset = ar->slot.meta_offset;
        next->meta_length = ar->slot.meta_length;
        return ZMM_OK;
    }
    size = zmm_meta_encoded_size(&ar->dir);
    table = zmm_malloc(size);
    if (table == NULL)
        return ZMM_ERR_NOMEM;
    zmm_meta_encode(&ar->dir, table);
    rc = zmm_archive_append(ar, table, size, &next->meta_offset);
    next->meta_length = (uint32_t)size;
    zmm_free(table);
    return rc;
}

/* Appends the directory (or a delta record, for a checkpoint) and
 * publishes it as generation + 1. */
static zmm_result publish(zmm_archive *ar, int checkpoint)
{
    unsigned char slot_bytes[ZMM_SLOT_SIZE];
    unsigned char *buf;
    zmm_slot next = ar->slot;
    int target = 1 - ar->slot_index;
    size_t size;
    int delta;
    uint64_t offset = 0;
    zmm_result rc = encode_state(ar, checkpoint, &buf, &size, &delta);

    if (rc != ZMM_OK)
        return rc;
    rc = append_meta(ar, delta, &next);
    if (rc == ZMM_OK)
        rc = zmm_archive_append(ar, buf, size, &offset);
    next.format_version = ZMM_FORMAT_VERSION;
    next.incompat_features =
        (zmm_directory_uses_pcm(&ar->dir) ? ZMM_INCOMPAT_PCM : 0) |
        (zmm_directory_uses_dict(&ar->dir) ? ZMM_INCOMPAT_DICT : 0) |
        (zmm_directory_uses_kind(&ar->dir, ZMM_KIND_PCM_CHAN)
             ? ZMM_INCOMPAT_PCM_CHAN
             : 0) |
        (zmm_directory_uses_kind(&ar->dir, ZMM_KIND_PCM_LPC)
             ? ZMM_INCOMPAT_PCM_LPC
             : 0) |
        (zmm_directory_uses_kind(&ar->dir, ZMM_KIND_PCM_PLANAR)
             ? ZMM_INCOMPAT_PCM_PLANAR
             : 0) |
        (delta ? ZMM_INCOMPAT_DELTA : 0);
    next.generation = ar->slot.generation + 1;
    next.directory_offset = offset;
    next.directory_length = (uint32_t)size;
    next.directory_crc = (uint32_t)crc32(0, buf, (uInt)size);
    zmm_free(buf);
    if (rc == ZMM_OK)
        rc = sync_file(ar);
    if (rc != ZMM_OK)
        return rc;
    zmm_slot_encode(&next, slot_bytes);
    rc = write_slot(ar, target == 0 ? 0 : ZMM_SLOT1_OFFSET, slot_bytes);
    if (rc != ZMM_OK)
        return rc;
    ar->slot = next;
    ar->slot_index = target;
    ar->other_slot_damaged = 0;
    ar->modified = 0;
    ar->published_end = ar->append_pos;
    ar->state_bytes = delta ? ar->state_bytes + size : size;
    ar->chain = delta ? ar->chain + 1 : 0;
    mark_published(ar);
    ar->committed_live = live_bytes(ar);
    ar->unpublished = 0;
    return ZMM_OK;
}

/* Flushes the streams and publishes; `checkpoint` allows a delta record. */
static zmm_result commit(zmm_archive *ar, int checkpoint)
{
    size_t i;
    zmm_result rc;

    if (!ar->writable)
        return ZMM_OK;
    if (ar->failed != ZMM_OK)
        return ZMM_ERR_STATE;
    for (i = 0; i < ar->stream_count; i++)
        if ((rc = zmm_stream_flush(ar->streams[i])) != ZMM_OK)
            return rc;
    /* A commit asked for folds a chain of delta records even with nothing
     * new: the state it leaves is a whole directory that any version-1
     * reader opens (FORMAT.md, "Delta records"). */
    if (ar->modified || (!checkpoint && ar->chain > 0))
        return publish(ar, checkpoint);
    return ZMM_OK;
}

/* A commit the application asks for writes a whole directory: it folds
 * the checkpoints' delta records (close commits so too). */
zmm_result zmm_archive_commit(zmm_archive *ar)
{
    return commit(ar, 0);
}

zmm_result zmm_archive_set_checkpoints(zmm_archive *ar,
                                       const zmm_checkpoint_policy *policy)
{
    zmm_checkpoint_policy full = {sizeof full, 0, 0, NULL, NULL};

    if (!ar->writable)
        return ZMM_ERR_READ_ONLY;
    if (policy != NULL && zmm_struct_in(&full, sizeof full, policy,
                                        ZMM_CHECKPOINT_POLICY_V1) != ZMM_OK)
        return ZMM_ERR_INVALID_ARG;
    ar->policy = full;
    ar->checkpoints_on =
        policy != NULL && (full.bytes != 0 || full.interval_ms != 0);
    ar->unpublished = 0;
    return ZMM_OK;
}

int zmm_archive_checkpointing(const zmm_archive *ar)
{
    return ar->checkpoints_on;
}

uint64_t zmm_archive_checkpoints(const zmm_archive *ar)
{
    return ar->checkpoints;
}

static uint64_t now_ms(const zmm_archive *ar)
{
    return ar->policy.clock_ms != NULL
               ? ar->policy.clock_ms(ar->policy.clock_context)
               : zmm_platform_clock_ms();
}

zmm_result zmm_archive_wrote(zmm_archive *ar, size_t len, int at_edge)
{
    const zmm_checkpoint_policy *p = &ar->policy;
    uint64_t age = 0;
    int due, overdue;
    zmm_result rc;

    if (!ar->checkpoints_on || len == 0)
        return ZMM_OK;
    if (p->interval_ms != 0) {
        uint64_t now = now_ms(ar);

        if (ar->unpublished == 0)
            ar->unpublished_since = now;
        age = now - ar->unpublished_since;
    }
    ar->unpublished += len;
    due = (p->bytes != 0 && ar->unpublished >= p->bytes) ||
          (p->interval_ms != 0 && age >= p->interval_ms);
    /* A writer that never reaches a block edge is not kept waiting
     * longer than twice the policy. */
    overdue = (p->bytes != 0 && ar->unpublished >= 2 * p->bytes) ||
              (p->interval_ms != 0 && age >= 2 * (uint64_t)p->interval_ms);
    if (!due || (!at_edge && !overdue))
        return ZMM_OK;
    rc = commit(ar, 1);
    if (rc != ZMM_OK)
        return rc;
    ar->unpublished = 0;
    ar->checkpoints++;
    return ZMM_OK;
}

/* Writes a new archive into an empty file: generation 1 in slot 0, now or
 * (ZMM_OPEN_UNPUBLISHED) at the first commit. */
static zmm_result initialise(zmm_archive *ar, int publish_now)
{
    static const unsigned char zeros[ZMM_DATA_START];
    zmm_result rc = write_at(ar, 0, zeros, sizeof zeros);

    if (rc != ZMM_OK)
        return rc;
    ar->slot.generation = 0;
    ar->slot_index = 1; /* so that publish() writes slot 0 */
    ar->append_pos = ZMM_DATA_START;
    ar->structure_changed = 1;
    if (!publish_now) {
        ar->modified = 1;
        return ZMM_OK;
    }
    return publish(ar, 0);
}

static zmm_result load_state(zmm_archive *ar, uint64_t size)
{
    zmm_slot_bytes slots;
    zmm_state st;
    zmm_result rc = zmm_state_read_slots(ar->file, size, &slots);

    if (rc == ZMM_OK)
        rc = zmm_state_load(ar->file, size, &slots, 0, &st);
    if (rc != ZMM_OK)
        return file_result(ar, rc);
    ar->slot = st.slot;
    ar->slot_index = st.slot_index;
    ar->other_slot_damaged = st.other_damaged;
    ar->lost_generation = st.lost_generation;
    ar->dir = st.dir;
    ar->state_bytes = st.state_bytes;
    ar->chain = st.chain;
    mark_published(ar);
    ar->append_pos = ar->slot.directory_offset + ar->slot.directory_length;
    /* A writer appends after any tail an interrupted commit left (garbage,
     * reclaimed by compact): overwriting it would make a failure that cuts
     * the file back to its old length change bytes it did not add. */
    if (ar->writable && ar->append_pos < size)
        ar->append_pos = size;
    ar->published_end = size;
    ar->committed_live = live_bytes(ar);
    return ZMM_OK;
}

/* Opens an archive on `file`, which it takes over; on failure the file is
 * closed and *os_error (not NULL) gets the OS error behind it. */
static zmm_result open_on_file(zmm_file *file, unsigned flags,
                               zmm_archive **out, long *os_error)
{
    zmm_archive *ar;
    uint64_t size;
    zmm_result rc;

    *out = NULL;
    *os_error = 0;
    ar = zmm_calloc(1, sizeof *ar);
    if (ar == NULL) {
        file->methods->close(file);
        return ZMM_ERR_NOMEM;
    }
    ar->file = file;
    ar->writable = (flags & ZMM_OPEN_WRITE) != 0;
    rc = file_result(ar, file->methods->size(file, &size));
    if (rc == ZMM_OK && size == 0 && (flags & ZMM_OPEN_CREATE) &&
        ar->writable)
        rc = initialise(ar, !(flags & ZMM_OPEN_UNPUBLISHED));
    else if (rc == ZMM_OK)
        rc = load_state(ar, size);
    if (rc != ZMM_OK) {
        *os_error = ar->os_error;
        zmm_directory_free(&ar->dir);
        file->methods->close(file);
        zmm_codec_free(ar->encoder);
        zmm_free(ar->scratch);
        zmm_free(ar);
        return rc;
    }
    *out = ar;
    return ZMM_OK;
}

zmm_result zmm_archive_open_file_error(zmm_file *file, unsigned flags,
                                       zmm_archive **out, long *os_error)
{
    return open_on_file(file, flags, out, os_error);
}

zmm_result zmm_archive_open_file(zmm_file *file, unsigned flags,
                                 zmm_archive **out)
{
    long os_error;

    return open_on_file(file, flags, out, &os_error);
}

zmm_result zmm_archive_open(const char *path, unsigned flags,
                            zmm_archive **out, long *os_error)
{
    unsigned file_flags = flags & (ZMM_OPEN_DENY_READ | ZMM_OPEN_DENY_WRITE);
    zmm_file *file;
    zmm_archive *ar = NULL;
    long error = 0;
    zmm_result rc;

    *out = NULL;
    if (os_error != NULL)
        *os_error = 0;
    if (path == NULL || (flags & ~ZMM_OPEN_KNOWN_FLAGS) != 0 ||
        ((flags & ZMM_OPEN_CREATE) && !(flags & ZMM_OPEN_WRITE)) ||
        ((flags & ZMM_OPEN_EXCLUSIVE) && !(flags & ZMM_OPEN_CREATE)))
        return ZMM_ERR_INVALID_ARG;
    if (flags & ZMM_OPEN_WRITE)
        file_flags |= ZMM_FILE_WRITE | ZMM_FILE_LOCK_WRITER;
    if (flags & ZMM_OPEN_CREATE)
        file_flags |= ZMM_FILE_CREATE;
    if (flags & ZMM_OPEN_EXCLUSIVE)
        file_flags |= ZMM_FILE_EXCLUSIVE;
    rc = zmm_platform_open(path, file_flags, &file, &error);
    if (rc == ZMM_OK)
        rc = open_on_file(file, flags, &ar, &error);
    if (os_error != NULL)
        *os_error = error;
    *out = ar;
    return rc;
}

long zmm_archive_os_error(const zmm_archive *ar)
{
    return ar->os_error;
}

/* Cuts off what was appended since the last commit, so that the file is
 * as that commit left it (a full disk gets its space back). Best effort:
 * the committed state reads the same whatever happens here. */
static void roll_back(zmm_archive *ar)
{
    zmm_file *f = ar->file;
    uint64_t size;

    if (!ar->writable || f->methods->size(f, &size) != ZMM_OK ||
        size <= ar->published_end)
        return;
    if (f->methods->truncate(f, ar->published_end) == ZMM_OK)
        f->methods->sync(f);
}

/* Discards the streams, closes the file and frees the archive. */
static zmm_result release(zmm_archive *ar)
{
    zmm_result closed;

    while (ar->stream_count > 0) /* each unregisters itself */
        zmm_stream_discard(ar->streams[ar->stream_count - 1]);
    zmm_free(ar->streams);
    closed = file_result(ar, ar->file->methods->close(ar->file));
    zmm_directory_free(&ar->dir);
    zmm_codec_free(ar->encoder);
    zmm_free(ar->scratch);
    zmm_free(ar);
    return closed;
}

zmm_result zmm_archive_close(zmm_archive *ar)
{
    zmm_result rc, closed;

    if (ar == NULL)
        return ZMM_OK;
    rc = zmm_archive_commit(ar);
    if (rc != ZMM_OK) {
        roll_back(ar);
        /* The cause (a full disk, say), not "unusable after a failure". */
        if (ar->failed != ZMM_OK)
            rc = ar->failed;
    }
    closed = release(ar);
    return rc != ZMM_OK ? rc : closed;
}

zmm_result zmm_archive_abandon(zmm_archive *ar)
{
    if (ar == NULL)
        return ZMM_OK;
    while (ar->stream_count > 0) /* before their blocks could be flushed */
        zmm_stream_discard(ar->streams[ar->stream_count - 1]);
    roll_back(ar);
    return release(ar);
}

zmm_result zmm_archive_get_info(zmm_archive *ar, zmm_archive_info *info)
{
    uint64_t end = ar->slot.directory_offset + ar->slot.directory_length;
    zmm_archive_info full;

    if (info == NULL)
        return ZMM_ERR_INVALID_ARG;
    memset(&full, 0, sizeof full);
    full.format_version = ar->slot.format_version;
    full.generation = ar->slot.generation;
    full.file_size = end;
    full.live_bytes = ar->committed_live;
    full.garbage_bytes =
        end > ar->committed_live ? end - ar->committed_live : 0;
    full.member_count = ar->dir.count;
    full.flags = (ar->other_slot_damaged ? ZMM_ARCHIVE_SLOT_DAMAGED : 0) |
                 (ar->lost_generation != 0 ? ZMM_ARCHIVE_NEWEST_LOST : 0);
    /* As far as the caller's struct_size reaches (struct_size.h). */
    return zmm_struct_out(info, &full, sizeof full, ZMM_ARCHIVE_INFO_V1);
}

size_t zmm_archive_member_count(const zmm_archive *ar)
{
    return ar->dir.count;
}

zmm_result zmm_archive_member_info(zmm_archive *ar, size_t index,
                                   zmm_member_info *info)
{
    const zmm_member *m;
    zmm_member_info full;
    int pcm, dict;
    uint32_t j;

    if (info == NULL || index >= ar->dir.count)
        return ZMM_ERR_INVALID_ARG;
    m = ar->dir.members[index];
    pcm = (m->flags & ZMM_MEMBER_PCM) != 0;
    dict = (m->flags & ZMM_MEMBER_DICT) != 0;
    memset(&full, 0, sizeof full);
    full.name = m->name;
    full.size = m->length;
    full.packed_size = zmm_member_packed_size(m);
    full.block_size = 1u << m->block_shift;
    full.block_count = m->block_count;
    full.flags = m->flags;
    full.level = m->level;
    full.pcm_offset = pcm ? m->pcm.offset : 0;
    full.pcm_length = pcm ? m->pcm.length : 0;
    full.pcm_bits = pcm ? m->pcm.bits : 0;
    full.pcm_channels = pcm ? m->pcm.channels : 0;
    full.dict_length = dict ? m->dict_length : 0;
    full.meta = m->meta;
    full.mtime = (m->meta & ZMM_META_MTIME) ? m->mtime : 0;
    full.mtime_nsec = (m->meta & ZMM_META_MTIME) ? m->mtime_nsec : 0;
    full.mode = (m->meta & ZMM_META_MODE) ? m->mode : 0;
    for (j = 0; j < m->block_count; j++) {
        full.pcm_blocks += ZMM_KIND_IS_PCM(m->blocks[j].kind);
        full.lpc_blocks += m->blocks[j].kind == ZMM_KIND_PCM_LPC ||
                           m->blocks[j].kind == ZMM_KIND_PCM_PLANAR;
    }
    /* Callers built before the PCM, dictionary, metadata or block-count
     * fields give an older, shorter struct_size: they get the fields it
     * covers. */
    return zmm_struct_out(info, &full, sizeof full, ZMM_MEMBER_INFO_V1);
}

zmm_result zmm_archive_find(zmm_archive *ar, const char *name, size_t *index)
{
    long i = zmm_directory_find(&ar->dir, name);

    if (i < 0)
        return ZMM_ERR_NOT_FOUND;
    if (index != NULL)
        *index = (size_t)i;
    return ZMM_OK;
}

/* The member to change by name: it must exist and have no open stream. */
static zmm_result member_to_edit(zmm_archive *ar, const char *name,
                                 long *index)
{
    const zmm_member *m;

    if (!ar->writable)
        return ZMM_ERR_READ_ONLY;
    *index = zmm_directory_find(&ar->dir, name);
    if (*index < 0)
        return ZMM_ERR_NOT_FOUND;
    m = ar->dir.members[*index];
    return m->readers || m->writers ? ZMM_ERR_BUSY : ZMM_OK;
}

zmm_result zmm_archive_remove(zmm_archive *ar, const char *name)
{
    long index;
    zmm_result rc = member_to_edit(ar, name, &index);

    if (rc != ZMM_OK)
        return rc;
    zmm_directory_remove(&ar->dir, (uint32_t)index);
    ar->modified = ar->structure_changed = 1;
    return ZMM_OK;
}

zmm_result zmm_archive_rename(zmm_archive *ar, const char *old_name,
                              const char *new_name)
{
    long index;
    zmm_member *m;
    char *copy;
    size_t len;
    zmm_result rc;

    if (!zmm_name_is_valid(new_name))
        return ZMM_ERR_BAD_NAME;
    rc = member_to_edit(ar, old_name, &index);
    if (rc != ZMM_OK)
        return rc;
    m = ar->dir.members[index];
    if (strcmp(m->name, new_name) == 0)
        return ZMM_OK;
    if (zmm_directory_find(&ar->dir, new_name) >= 0)
        return ZMM_ERR_EXISTS;
    len = strlen(new_name);
    copy = zmm_malloc(len + 1);
    if (copy == NULL)
        return ZMM_ERR_NOMEM;
    memcpy(copy, new_name, len + 1);
    zmm_free(m->name);
    m->name = copy;
    ar->modified = ar->structure_changed = 1;
    return ZMM_OK;
}

zmm_result zmm_archive_set_default(zmm_archive *ar, const char *name)
{
    long index;
    uint32_t i;

    if (!ar->writable)
        return ZMM_ERR_READ_ONLY;
    if (name == NULL || name[0] == '\0')
        return ZMM_ERR_BAD_NAME;
    index = zmm_directory_find(&ar->dir, name);
    if (index < 0)
        return ZMM_ERR_NOT_FOUND;
    for (i = 0; i < ar->dir.count; i++)
        ar->dir.members[i]->flags &= ~ZMM_MEMBER_DEFAULT;
    ar->dir.members[index]->flags |= ZMM_MEMBER_DEFAULT;
    ar->modified = ar->structure_changed = 1;
    return ZMM_OK;
}

zmm_result zmm_archive_verify_member(zmm_archive *ar, const char *name,
                                     uint32_t *bad_block)
{
    zmm_member_info info;
    zmm_stream *s;
    unsigned char *buf;
    size_t index;
    uint64_t at = 0;
    zmm_result rc = zmm_archive_find(ar, name, &index);

    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (rc == ZMM_OK)
        rc = zmm_archive_member_info(ar, index, &info);
    if (rc == ZMM_OK)
        rc = zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s);
    if (rc != ZMM_OK)
        return rc;
    buf = zmm_malloc(info.block_size);
    if (buf == NULL) {
        zmm_stream_close(s);
        return ZMM_ERR_NOMEM;
    }
    for (;;) {
        size_t got;

        rc = zmm_stream_read(s, buf, info.block_size, &got);
        if (rc != ZMM_OK && bad_block != NULL)
            *bad_block = (uint32_t)(at / info.block_size);
        if (rc != ZMM_OK || got == 0)
            break;
        at += got;
    }
    zmm_free(buf);
    zmm_stream_close(s);
    return rc;
}

/* ---- what streams use (archive.h) ---------------------------------------- */

int zmm_archive_writable(const zmm_archive *ar)
{
    return ar->writable;
}

zmm_file *zmm_archive_file(zmm_archive *ar)
{
    return ar->file;
}

void zmm_archive_mark_modified(zmm_archive *ar)
{
    ar->modified = ar->structure_changed = 1;
}

void zmm_archive_set_member_meta(zmm_archive *ar, zmm_member *m,
                                 unsigned meta, int64_t mtime,
                                 uint32_t mtime_nsec, unsigned mode)
{
    if (meta & ZMM_META_MTIME) {
        m->mtime = mtime;
        m->mtime_nsec = mtime_nsec;
    }
    if (meta & ZMM_META_MODE)
        m->mode = mode;
    m->meta |= meta;
    if (meta != 0)
        ar->modified = ar->structure_changed = 1;
}

void zmm_archive_latch_failure(zmm_archive *ar, zmm_result rc)
{
    if (rc != ZMM_OK && ar->failed == ZMM_OK)
        ar->failed = rc;
}

zmm_result zmm_archive_resize_member(zmm_archive *ar, zmm_member *m,
                                     uint64_t length)
{
    zmm_result rc = zmm_member_resize(&ar->dir, m, length);

    if (rc == ZMM_OK)
        ar->modified = 1;
    return rc;
}

zmm_result zmm_archive_open_member(zmm_archive *ar, const char *name,
                                   unsigned flags, unsigned shift, int level,
                                   zmm_member **out)
{
    long index = zmm_directory_find(&ar->dir, name);
    int writing = (flags & ZMM_STREAM_WRITE) != 0;
    int unnamed = name == NULL || name[0] == '\0';
    zmm_member *m;
    zmm_result rc;

    if (index < 0) {
        /* Missing from an older state the open fell back to: it may be in
         * the newer one that was lost, so this is damage, not absence. */
        if (!(flags & ZMM_STREAM_CREATE))
            return ar->lost_generation != 0 ? ZMM_ERR_CORRUPT
                                            : ZMM_ERR_NOT_FOUND;
        if (unnamed || !zmm_name_is_valid(name))
            return ZMM_ERR_BAD_NAME; /* a new member needs a real name */
        rc = zmm_directory_add(&ar->dir, name, shift, level, &m);
        if (rc != ZMM_OK)
            return rc;
        if (zmm_directory_find(&ar->dir, NULL) < 0)
            m->flags |= ZMM_MEMBER_DEFAULT;
        ar->modified = ar->structure_changed = 1;
    } else {
        m = ar->dir.members[index];
        if ((flags & ZMM_STREAM_CREATE) && (flags & ZMM_STREAM_EXCLUSIVE))
            return ZMM_ERR_EXISTS;
        if (m->writers > 0 || (writing && m->readers > 0))
            return ZMM_ERR_BUSY;
        if (flags & ZMM_STREAM_TRUNCATE) {
            rc = zmm_member_resize(&ar->dir, m, 0);
            if (rc != ZMM_OK)
                return rc;
            m->block_shift = shift;
            m->level = level;
            /* new contents: no layout or dictionary yet */
            m->flags &= ~(ZMM_MEMBER_PCM | ZMM_MEMBER_DICT);
            m->dict_length = 0;
            memset(&m->dict, 0, sizeof m->dict);
            ar->modified = ar->structure_changed = 1;
        }
    }
    if (writing)
        m->writers++;
    else
        m->readers++;
    *out = m;
    return ZMM_OK;
}

void zmm_archive_release_member(zmm_archive *ar, zmm_member *m, int writer)
{
    (void)ar;
    if (writer)
        m->writers--;
    else
        m->readers--;
}

zmm_result zmm_archive_add_stream(zmm_archive *ar, zmm_stream *s)
{
    if (ar->stream_count == ar->stream_capacity) {
        size_t cap = ar->stream_capacity ? ar->stream_capacity * 2 : 4;
        zmm_stream **grown = zmm_realloc(ar->streams, cap * sizeof *grown);

        if (grown == NULL)
            return ZMM_ERR_NOMEM;
        ar->streams = grown;
        ar->stream_capacity = cap;
    }
    ar->streams[ar->stream_count++] = s;
    return ZMM_OK;
}

void zmm_archive_remove_stream(zmm_archive *ar, zmm_stream *s)
{
    size_t i;

    for (i = 0; i < ar->stream_count; i++)
        if (ar->streams[i] == s) {
            ar->streams[i] = ar->streams[--ar->stream_count];
            return;
        }
}
