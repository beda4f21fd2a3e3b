/*
 * test_crash.c -- a crash or an I/O failure at any write of a commit leaves
 * exactly the previous or the new committed state.
 *
 * Each scenario starts from the bytes of a committed state and runs a fixed
 * sequence (open, changes, commits, close) on the fault-injecting file
 * (platform.h). A no-fault run counts the sequence's events (writes,
 * truncates, syncs) and, through a spy between the archive and the fault
 * file, where each header-slot write and the sync after it fall. Then, for
 * every event k:
 *   - crash_at = k (several seeds: unsynced writes kept, dropped or torn):
 *     after settling, the file must hold the state of the last commit whose
 *     slot sync came before k, or -- when the crash fell after that commit's
 *     slot write but no later than its sync -- possibly the next one;
 *   - fail_at = k: some call reports the error, a commit after it fails and
 *     so does close, and the file holds the old state (or the new one when
 *     only the final sync failed).
 * Then compaction on real files: members byte-identical, garbage gone.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "test_util.h"

/* ---- a spy file: records where slot writes and syncs fall ---------------- */

#define MAX_EVENTS 4096

typedef struct spy_file {
    zmm_file base;
    zmm_file *inner;
    unsigned long events;
    unsigned long slot_writes[64]; /* event numbers of 64-byte slot writes */
    int nslot_writes;
    unsigned long syncs[MAX_EVENTS];
    int nsyncs;
} spy_file;

static zmm_result spy_read_at(zmm_file *f, uint64_t off, void *buf,
                              size_t len)
{
    spy_file *s = (spy_file *)f;
    zmm_result r = s->inner->methods->read_at(s->inner, off, buf, len);
    f->os_error = s->inner->os_error;
    return r;
}

static zmm_result spy_write_at(zmm_file *f, uint64_t off, const void *buf,
                               size_t len)
{
    spy_file *s = (spy_file *)f;
    zmm_result r;
    s->events++;
    if ((off == 0 || off == 4096) && len == 64 && s->nslot_writes < 64)
        s->slot_writes[s->nslot_writes++] = s->events;
    r = s->inner->methods->write_at(s->inner, off, buf, len);
    f->os_error = s->inner->os_error;
    return r;
}

static zmm_result spy_size(zmm_file *f, uint64_t *size)
{
    spy_file *s = (spy_file *)f;
    zmm_result r = s->inner->methods->size(s->inner, size);
    f->os_error = s->inner->os_error;
    return r;
}

static zmm_result spy_truncate(zmm_file *f, uint64_t size)
{
    spy_file *s = (spy_file *)f;
    zmm_result r;
    s->events++;
    r = s->inner->methods->truncate(s->inner, size);
    f->os_error = s->inner->os_error;
    return r;
}

static zmm_result spy_sync(zmm_file *f)
{
    spy_file *s = (spy_file *)f;
    zmm_result r;
    s->events++;
    if (s->nsyncs < MAX_EVENTS)
        s->syncs[s->nsyncs++] = s->events;
    r = s->inner->methods->sync(s->inner);
    f->os_error = s->inner->os_error;
    return r;
}

/* Leaves the inner (fault) file open: the test settles and frees it. */
static zmm_result spy_close(zmm_file *f)
{
    (void)f;
    return ZMM_OK;
}

static const zmm_file_methods spy_methods = {
    spy_read_at, spy_write_at, spy_size, spy_truncate, spy_sync, spy_close,
    NULL, NULL};

static void spy_init(spy_file *s, zmm_file *inner)
{
    memset(s, 0, sizeof *s);
    s->base.methods = &spy_methods;
    s->inner = inner;
}

/* ---- scenarios ----------------------------------------------------------- */

/* A committed state as the test expects it; `none` = not an archive. */
typedef struct expected_state {
    int none;
    tu_image image;
} expected_state;

typedef struct scenario {
    const char *name;
    unsigned char *start;      /* the file's bytes before the sequence */
    size_t start_len;
    int create;                /* the sequence creates the archive */
    int commits;               /* commits the sequence makes (1 to 4) */
    expected_state states[5];  /* [0] = before, [i] = after commit i */
    /* From the no-fault run: */
    unsigned long events;
    unsigned long slot_write[4];
    unsigned long slot_sync[4];
} scenario;

static unsigned long crash_points, fail_points, crash_runs;

static void put_data(tu_image *img, const char *name, tu_data_kind kind,
                     size_t size, uint64_t seed, int is_default)
{
    unsigned char *d = tu_xmalloc(size);
    tu_rng r;
    tu_rng_seed(&r, seed);
    tu_fill(&r, kind, d, size);
    tu_image_put(img, name, d, size, is_default);
    free(d);
}

static tu_member_image *member_of(tu_image *img, const char *name)
{
    size_t i;
    for (i = 0; i < img->count; i++)
        if (strcmp(img->members[i].name, name) == 0)
            return &img->members[i];
    tu_fail(__FILE__, __LINE__, "no member %s in the expected image", name);
}

static void remove_member(tu_image *img, const char *name)
{
    tu_member_image *m = member_of(img, name);
    size_t i = (size_t)(m - img->members);
    free(m->name);
    free(m->data);
    memmove(img->members + i, img->members + i + 1,
            (img->count - i - 1) * sizeof *m);
    img->count--;
}

static void copy_image(tu_image *dst, const tu_image *src)
{
    size_t i;
    dst->count = 0;
    dst->members = NULL;
    for (i = 0; i < src->count; i++)
        tu_image_put(dst, src->members[i].name, src->members[i].data,
                     src->members[i].size, src->members[i].is_default);
}

static zmm_result write_at(zmm_archive *ar, const char *name, unsigned flags,
                           uint32_t block_size, uint64_t at,
                           const void *data, size_t len)
{
    zmm_member_options o;
    zmm_stream *s = NULL;
    zmm_result r, rc;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = block_size;
    o.level = -1;
    r = zmm_stream_open(ar, name, ZMM_STREAM_WRITE | flags, &o, &s);
    if (r != ZMM_OK)
        return r;
    r = zmm_stream_seek(s, (int64_t)at, ZMM_SEEK_SET, NULL);
    if (r == ZMM_OK && len)
        r = zmm_stream_write(s, data, len);
    rc = zmm_stream_close(s);
    return r != ZMM_OK ? r : rc;
}

static zmm_result truncate_member(zmm_archive *ar, const char *name,
                                  uint64_t size)
{
    zmm_stream *s = NULL;
    zmm_result r, rc;
    r = zmm_stream_open(ar, name, ZMM_STREAM_WRITE, NULL, &s);
    if (r != ZMM_OK)
        return r;
    r = zmm_stream_truncate(s, size);
    rc = zmm_stream_close(s);
    return r != ZMM_OK ? r : rc;
}

/* Writes image `img` into a new archive (used to build starting states). */
static unsigned char *archive_of(const tu_image *img, const char *first,
                                 size_t *len)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    size_t i;
    unsigned char *bytes;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    /* The first member created becomes the default. */
    for (i = 0; i < img->count; i++)
        if (strcmp(img->members[i].name, first) == 0)
            CHECK_OK(write_at(ar, first, ZMM_STREAM_CREATE, 4096, 0,
                              img->members[i].data, img->members[i].size));
    for (i = 0; i < img->count; i++)
        if (strcmp(img->members[i].name, first) != 0)
            CHECK_OK(write_at(ar, img->members[i].name, ZMM_STREAM_CREATE,
                              i % 2 ? 4096 : 16384, 0, img->members[i].data,
                              img->members[i].size));
    CHECK_OK(zmm_archive_close(ar));
    bytes = tu_memfile_copy(mem, len);
    mem->methods->close(mem);
    return bytes;
}

/* The checkpoint scenario's recording: CHECKPOINT_BYTES per checkpoint. */
#define CHECKPOINT_BYTES 8192u
#define RECORD_PIECE 4096u
#define RECORD_WHOLE (3 * CHECKPOINT_BYTES) /* then RECORD_TAIL more */
#define RECORD_TAIL 1000u

static void record_data(unsigned char *buf)
{
    tu_rng r;
    tu_rng_seed(&r, 77);
    tu_fill(&r, TU_DATA_MIXED, buf, RECORD_WHOLE + RECORD_TAIL);
}

/* A recorder: pieces of 4 KiB into a new member of 4 KiB blocks, with a
 * checkpoint every 8 KiB (three), then a short tail and the close. */
static void record_with_checkpoints(zmm_archive *ar, zmm_result *first)
{
    zmm_checkpoint_policy p;
    zmm_member_options o;
    zmm_stream *s = NULL;
    unsigned char *buf = tu_xmalloc(RECORD_WHOLE + RECORD_TAIL);
    zmm_result r;
    size_t off;

    record_data(buf);
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.bytes = CHECKPOINT_BYTES;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = -1;
    r = zmm_archive_set_checkpoints(ar, &p);
    if (r == ZMM_OK)
        r = zmm_stream_open(ar, "rec.bin", ZMM_STREAM_WRITE |
                            ZMM_STREAM_CREATE, &o, &s);
    for (off = 0; r == ZMM_OK && off < RECORD_WHOLE; off += RECORD_PIECE)
        r = zmm_stream_write(s, buf + off, RECORD_PIECE);
    if (r == ZMM_OK)
        r = zmm_stream_write(s, buf + RECORD_WHOLE, RECORD_TAIL);
    if (r != ZMM_OK && *first == ZMM_OK)
        *first = r;
    /* The archive's close closes the stream and commits. */
    free(buf);
}

/*
 * The sequence of a scenario. Returns the first error of any call (the
 * sequence goes on after an error, as an application would, up to close),
 * and in *commit_failed / *close_result what commit and close returned.
 */
static zmm_result run_sequence(const scenario *sc, zmm_file *file,
                               int strict, int *commit_failed,
                               zmm_result *close_result)
{
    zmm_archive *ar = NULL;
    zmm_result first = ZMM_OK, r;
    int commits_done = 0;
    unsigned char *buf = tu_xmalloc(60000);
    tu_rng rng;
#define STEP(call)                                                           \
    do {                                                                     \
        r = (call);                                                          \
        if (r != ZMM_OK && first == ZMM_OK)                                  \
            first = r;                                                       \
    } while (0)
    /* Once a call has failed, the handle must not publish a later state. */
#define COMMIT()                                                             \
    do {                                                                     \
        r = zmm_archive_commit(ar);                                          \
        if (r != ZMM_OK) {                                                   \
            *commit_failed = 1;                                              \
            if (first == ZMM_OK)                                             \
                first = r;                                                   \
        } else if (first != ZMM_OK && strict) {                              \
            tu_fail(__FILE__, __LINE__, "commit %d succeeded after an "      \
                    "earlier call failed with %s", commits_done + 1,         \
                    tu_result_name(first));                                  \
        }                                                                    \
        commits_done++;                                                      \
    } while (0)

    *commit_failed = 0;
    *close_result = ZMM_OK;
    r = zmm_archive_open_file(file, ZMM_OPEN_WRITE |
                                        (sc->create ? ZMM_OPEN_CREATE : 0),
                              &ar);
    if (r != ZMM_OK) {
        free(buf);
        return r;
    }
    tu_rng_seed(&rng, 99);
    if (strcmp(sc->name, "create") == 0) {
        /* Creating the archive is the whole sequence. */
    } else if (strcmp(sc->name, "checkpoints") == 0) {
        record_with_checkpoints(ar, &first);
    } else {
        /* Commit 1: the changes of design.md's list. */
        STEP(write_at(ar, "edit.txt", 0, 0, 2 * 4096 + 100, "EDITED", 6));
        tu_fill(&rng, TU_DATA_MIXED, buf, 20000);
        STEP(write_at(ar, "grow.bin", 0, 0, 30000, buf, 20000));
        STEP(truncate_member(ar, "shrink.bin", 6144));
        STEP(zmm_archive_rename(ar, "old.name", "new.name"));
        STEP(zmm_archive_remove(ar, "gone.dat"));
        tu_fill(&rng, TU_DATA_MIXED, buf, 50000);
        STEP(write_at(ar, "added.wav", ZMM_STREAM_CREATE, 16384, 0, buf,
                      50000));
        STEP(zmm_archive_set_default(ar, "added.wav"));
        /* Many blocks, flushed before the commit. */
        tu_fill(&rng, TU_DATA_TEXT, buf, 30000);
        tu_fill(&rng, TU_DATA_RANDOM, buf + 30000, 30000);
        STEP(write_at(ar, "many.bin", ZMM_STREAM_CREATE, 4096, 0, buf,
                      60000));
        COMMIT();
        if (sc->commits > 1) {
            /* Commit 2: overwrite the blocks commit 1 wrote, shrink to 0. */
            STEP(write_at(ar, "edit.txt", 0, 0, 2 * 4096 + 98, "RE-EDITED",
                          9));
            STEP(write_at(ar, "added.wav", 0, 0, 1000, "xyz", 3));
            STEP(truncate_member(ar, "keep.txt", 0));
            COMMIT();
        }
    }
    (void)commits_done;
    *close_result = zmm_archive_close(ar);
    if (*close_result != ZMM_OK && first == ZMM_OK)
        first = *close_result;
    free(buf);
    return first;
#undef STEP
#undef COMMIT
}

/* The expected states of the change scenarios. */
static void make_change_states(scenario *sc, int commits)
{
    tu_image *a = &sc->states[0].image, *b = &sc->states[1].image;
    tu_member_image *m;
    unsigned char *buf = tu_xmalloc(60000);
    tu_rng rng;

    sc->name = commits == 1 ? "changes" : "two commits";
    sc->commits = commits;
    put_data(a, "keep.txt", TU_DATA_TEXT, 3 * 4096 + 10, 1, 1);
    put_data(a, "edit.txt", TU_DATA_TEXT, 5 * 4096, 2, 0);
    put_data(a, "grow.bin", TU_DATA_MIXED, 30000, 3, 0);
    put_data(a, "shrink.bin", TU_DATA_TEXT, 4 * 4096, 4, 0);
    put_data(a, "old.name", TU_DATA_RANDOM, 5000, 5, 0);
    put_data(a, "gone.dat", TU_DATA_TEXT, 9000, 6, 0);
    sc->start = archive_of(a, "keep.txt", &sc->start_len);

    copy_image(b, a);
    memcpy(member_of(b, "edit.txt")->data + 2 * 4096 + 100, "EDITED", 6);
    tu_rng_seed(&rng, 99);
    tu_fill(&rng, TU_DATA_MIXED, buf, 20000);
    m = member_of(b, "grow.bin");
    m->data = tu_xrealloc(m->data, 50000);
    memcpy(m->data + 30000, buf, 20000);
    m->size = 50000;
    member_of(b, "shrink.bin")->size = 6144;
    m = member_of(b, "old.name");
    tu_image_put(b, "new.name", m->data, m->size, 0);
    remove_member(b, "old.name");
    remove_member(b, "gone.dat");
    tu_fill(&rng, TU_DATA_MIXED, buf, 50000);
    tu_image_put(b, "added.wav", buf, 50000, 1);
    member_of(b, "keep.txt")->is_default = 0;
    tu_fill(&rng, TU_DATA_TEXT, buf, 30000);
    tu_fill(&rng, TU_DATA_RANDOM, buf + 30000, 30000);
    tu_image_put(b, "many.bin", buf, 60000, 0);
    if (commits > 1) {
        tu_image *c = &sc->states[2].image;
        copy_image(c, b);
        memcpy(member_of(c, "edit.txt")->data + 2 * 4096 + 98, "RE-EDITED",
               9);
        memcpy(member_of(c, "added.wav")->data + 1000, "xyz", 3);
        member_of(c, "keep.txt")->size = 0;
    }
    free(buf);
}

/* The checkpoint scenario: the recording's prefix at each checkpoint, then
 * whole at the close. */
static void make_checkpoint_states(scenario *sc)
{
    unsigned char *buf = tu_xmalloc(RECORD_WHOLE + RECORD_TAIL);
    int i;

    sc->name = "checkpoints";
    sc->commits = 4;
    put_data(&sc->states[0].image, "keep.txt", TU_DATA_TEXT, 3 * 4096 + 10,
             1, 1);
    sc->start = archive_of(&sc->states[0].image, "keep.txt", &sc->start_len);
    record_data(buf);
    for (i = 1; i <= 4; i++) {
        copy_image(&sc->states[i].image, &sc->states[0].image);
        tu_image_put(&sc->states[i].image, "rec.bin", buf,
                     i < 4 ? (size_t)i * CHECKPOINT_BYTES
                           : RECORD_WHOLE + RECORD_TAIL, 0);
    }
    free(buf);
}

static void make_create_states(scenario *sc)
{
    sc->name = "create";
    sc->create = 1;
    sc->commits = 1;
    sc->start = tu_xmalloc(1);
    sc->start_len = 0;
    sc->states[0].none = 1;
}

/* What the settled file holds, compared with the allowed states. */
static void check_file(const scenario *sc, const unsigned char *bytes,
                       size_t len, int lo, int hi)
{
    zmm_archive *ar = NULL;
    zmm_result r = tu_open_bytes(bytes, len, ZMM_OPEN_READ, &ar);
    tu_image img;
    char why[2][200];
    int i;
    if (r != ZMM_OK) {
        CHECKF(lo == 0 && sc->states[0].none &&
                   (r == ZMM_ERR_NOT_ARCHIVE || r == ZMM_ERR_CORRUPT),
               "reopening failed with %s (%s); expected state %d%s%d",
               tu_result_name(r), zmm_strerror(r), lo, lo == hi ? "" : " or ",
               hi);
        return;
    }
    CHECK_OK(tu_image_read(ar, &img));
    CHECK_OK(zmm_archive_close(ar));
    for (i = lo; i <= hi; i++) {
        const expected_state *e = &sc->states[i];
        if (e->none) {
            snprintf(why[i - lo], sizeof why[0], "opened, not \"none\"");
            continue;
        }
        if (tu_image_equal(&img, &e->image, why[i - lo], sizeof why[0])) {
            tu_image_free(&img);
            return;
        }
    }
    tu_fail(__FILE__, __LINE__,
            "the file holds none of the allowed states %d..%d (vs %d: %s%s%s)",
            lo, hi, lo, why[0], lo < hi ? "; vs next: " : "",
            lo < hi ? why[1] : "");
}

/* The states a crash at event k may leave: [*lo, *hi]. */
static void allowed_after_crash(const scenario *sc, unsigned long k, int *lo,
                                int *hi)
{
    int i;
    *lo = 0;
    for (i = 0; i < sc->commits; i++)
        if (sc->slot_sync[i] < k)
            *lo = i + 1;
    *hi = *lo;
    if (*lo < sc->commits && sc->slot_write[*lo] < k)
        *hi = *lo + 1;
}

static void no_fault_run(scenario *sc)
{
    zmm_file *inner = zmm_memfile_new(sc->start, sc->start_len);
    zmm_fault_plan plan;
    zmm_file *ff;
    spy_file spy;
    int commit_failed, i, j;
    zmm_result close_result;
    unsigned char *bytes;
    size_t len;

    memset(&plan, 0, sizeof plan);
    ff = zmm_faultfile_new(inner, &plan);
    CHECK(ff != NULL);
    spy_init(&spy, ff);
    tu_set_context("scenario %s: the run without faults", sc->name);
    CHECK_OK(run_sequence(sc, &spy.base, 1, &commit_failed, &close_result));
    sc->events = zmm_faultfile_events(ff);
    CHECK_U64(spy.events, sc->events);
    /* One 64-byte slot write per commit, each followed by a sync. */
    CHECKF(spy.nslot_writes == sc->commits,
           "%d slot writes for %d commits (FORMAT.md: one 64-byte write)",
           spy.nslot_writes, sc->commits);
    for (i = 0; i < sc->commits; i++) {
        sc->slot_write[i] = spy.slot_writes[i];
        sc->slot_sync[i] = 0;
        for (j = 0; j < spy.nsyncs; j++)
            if (spy.syncs[j] > spy.slot_writes[i]) {
                sc->slot_sync[i] = spy.syncs[j];
                break;
            }
        CHECKF(sc->slot_sync[i] != 0, "no sync after slot write %d", i);
        /* The commit's data is synced before its slot is written. */
        CHECKF(spy.nsyncs > 0 && spy.syncs[0] < spy.slot_writes[0],
               "no sync before the first slot write");
    }
    bytes = tu_memfile_copy(inner, &len);
    check_file(sc, bytes, len, sc->commits, sc->commits);
    free(bytes);
    ff->methods->close(ff);
    printf("%s: scenario \"%s\": %lu events (slot writes at", tu_test_name,
           sc->name, sc->events);
    for (i = 0; i < sc->commits; i++)
        printf(" %lu, synced at %lu;", sc->slot_write[i], sc->slot_sync[i]);
    printf(" start file %llu bytes)\n", (unsigned long long)sc->start_len);
}

static void crash_sweep(const scenario *sc, int seeds)
{
    unsigned long k;
    int seed;
    for (k = 1; k <= sc->events + 1; k++) {
        crash_points++;
        for (seed = 1; seed <= seeds; seed++) {
            zmm_file *inner = zmm_memfile_new(sc->start, sc->start_len);
            zmm_fault_plan plan;
            zmm_file *ff;
            int commit_failed, lo, hi;
            zmm_result close_result;
            unsigned char *bytes;
            size_t len;
            memset(&plan, 0, sizeof plan);
            plan.crash_at = k;
            plan.seed = (uint64_t)seed * 7919 + k;
            ff = zmm_faultfile_new(inner, &plan);
            CHECK(ff != NULL);
            tu_set_context("scenario %s: crash at event %lu of %lu, seed %d",
                           sc->name, k, sc->events, seed);
            /* After the power is gone nothing the library returns matters. */
            run_sequence(sc, tu_borrow_file(ff), 0, &commit_failed,
                         &close_result);
            CHECK(!!zmm_faultfile_crashed(ff) == (k <= sc->events));
            zmm_faultfile_settle(ff);
            bytes = tu_memfile_copy(inner, &len);
            allowed_after_crash(sc, k, &lo, &hi);
            check_file(sc, bytes, len, lo, hi);
            free(bytes);
            ff->methods->close(ff);
            crash_runs++;
        }
    }
}

static void fail_sweep(const scenario *sc)
{
    unsigned long k;
    for (k = 1; k <= sc->events; k++) {
        zmm_file *inner = zmm_memfile_new(sc->start, sc->start_len);
        zmm_fault_plan plan;
        zmm_file *ff;
        int commit_failed, lo, hi;
        zmm_result first, close_result;
        unsigned char *bytes;
        size_t len;
        memset(&plan, 0, sizeof plan);
        plan.fail_at = k;
        ff = zmm_faultfile_new(inner, &plan);
        CHECK(ff != NULL);
        tu_set_context("scenario %s: I/O failure at event %lu of %lu",
                       sc->name, k, sc->events);
        first = run_sequence(sc, tu_borrow_file(ff), 1, &commit_failed,
                             &close_result);
        CHECKF(first != ZMM_OK, "a failed write, truncate or sync went "
               "unreported");
        CHECKF(first == ZMM_ERR_IO, "the first error was %s, not "
               "ZMM_ERR_IO", tu_result_name(first));
        if (commit_failed)
            CHECKF(close_result != ZMM_OK,
                   "close returned ZMM_OK after a failed commit");
        /* A failure never publishes more than the sequence reached. */
        allowed_after_crash(sc, k, &lo, &hi);
        if (hi > lo && k > sc->slot_write[lo] && k <= sc->slot_sync[lo]) {
            /* Only the slot's sync failed: its bytes are in the file. */
        } else {
            hi = lo;
        }
        bytes = tu_memfile_copy(inner, &len);
        check_file(sc, bytes, len, lo, hi);
        free(bytes);
        ff->methods->close(ff);
        fail_points++;
    }
}

static void free_scenario(scenario *sc)
{
    int i;
    for (i = 0; i < 5; i++)
        tu_image_free(&sc->states[i].image);
    free(sc->start);
}

/* ---- compaction on real files -------------------------------------------- */

static void compaction(void)
{
    char path[256];
    zmm_archive *ar = NULL;
    zmm_archive_info before, after;
    tu_image img_before, img_after;
    zmm_member_info infos[3];
    unsigned char *buf = tu_xmalloc(100000), *file;
    size_t i, len = 0;
    tu_rng rng;
    int round;
    char why[200];
    tu_fmt_archive fa;
    const char *err;
    long os_error = 0;

    tu_set_context("compaction");
    tu_temp_path(path, sizeof path, "compact.zmm");
    tu_rng_seed(&rng, 5);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    for (round = 0; round < 8; round++) {
        /* Rewrite parts of every member and commit: garbage piles up. */
        tu_fill(&rng, TU_DATA_MIXED, buf, 100000);
        CHECK_OK(write_at(ar, "one.txt", ZMM_STREAM_CREATE, 4096,
                          (uint64_t)round * 1000, buf, 30000));
        CHECK_OK(write_at(ar, "two/wave.wav", ZMM_STREAM_CREATE, 65536,
                          0, buf + 1000, 90000));
        CHECK_OK(write_at(ar, "three", ZMM_STREAM_CREATE, 16384,
                          tu_rng_below(&rng, 50000), buf + 7, 7000));
        CHECK_OK(zmm_archive_commit(ar));
    }
    CHECK_OK(zmm_archive_set_default(ar, "three"));
    CHECK_OK(zmm_archive_close(ar));

    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    memset(&before, 0, sizeof before);
    before.struct_size = sizeof before;
    CHECK_OK(zmm_archive_get_info(ar, &before));
    CHECK(before.garbage_bytes > 0);
    CHECK_OK(tu_image_read(ar, &img_before));
    CHECK_OK(zmm_archive_close(ar));

    CHECK_OK(zmm_compact(path, &os_error));

    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    memset(&after, 0, sizeof after);
    after.struct_size = sizeof after;
    CHECK_OK(zmm_archive_get_info(ar, &after));
    CHECK_OK(tu_image_read(ar, &img_after));
    CHECKF(tu_image_equal(&img_before, &img_after, why, sizeof why),
           "compaction changed the contents: %s", why);
    CHECK_U64(after.garbage_bytes, 0);
    CHECK_U64(after.live_bytes, after.file_size);
    CHECK(after.file_size < before.file_size);
    CHECK_U64(after.file_size, before.live_bytes);
    /* FORMAT.md: the new file's one state has the next generation. */
    CHECK_U64(after.generation, before.generation + 1);
    for (i = 0; i < 3; i++) {
        memset(&infos[i], 0, sizeof infos[i]);
        infos[i].struct_size = sizeof infos[i];
        CHECK_OK(zmm_archive_member_info(ar, i, &infos[i]));
        if (strcmp(infos[i].name, "one.txt") == 0)
            CHECK_U64(infos[i].block_size, 4096);
        else if (strcmp(infos[i].name, "three") == 0)
            CHECK_U64(infos[i].block_size, 16384);
        else
            CHECK_U64(infos[i].block_size, 65536);
        CHECK_U64(infos[i].level, 6);
    }
    CHECK_OK(zmm_archive_close(ar));

    file = tu_read_file(path, &len);
    CHECK(file != NULL);
    CHECK_U64(len, after.file_size);
    err = tu_fmt_parse(file, len, 1, &fa);
    CHECKF(err == NULL, "the compacted file breaks FORMAT.md: %s", err);
    tu_fmt_free(&fa);
    free(file);

    /* Compacting a compact archive changes nothing but stays correct. */
    CHECK_OK(zmm_compact(path, NULL));
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    tu_image_free(&img_after);
    CHECK_OK(tu_image_read(ar, &img_after));
    CHECK(tu_image_equal(&img_before, &img_after, NULL, 0));
    CHECK_OK(zmm_archive_close(ar));

    /* A missing file. */
    {
        char missing[256];
        tu_temp_path(missing, sizeof missing, "missing.zmm");
        CHECK_RES(zmm_compact(missing, NULL), ZMM_ERR_NOT_FOUND);
    }
    printf("%s: compaction: %llu -> %llu bytes, %llu bytes of garbage gone, "
           "members byte-identical\n",
           tu_test_name, (unsigned long long)before.file_size,
           (unsigned long long)after.file_size,
           (unsigned long long)before.garbage_bytes);
    tu_image_free(&img_before);
    tu_image_free(&img_after);
    remove(path);
    free(buf);
}

int main(void)
{
    scenario sc[4];
    int i;
    double t0;
    tu_init("test_crash");
    t0 = tu_seconds();
    memset(sc, 0, sizeof sc);
    make_create_states(&sc[0]);
    make_change_states(&sc[1], 1);
    make_change_states(&sc[2], 2);
    make_checkpoint_states(&sc[3]);
    for (i = 0; i < 4; i++) {
        no_fault_run(&sc[i]);
        crash_sweep(&sc[i], 8);
        fail_sweep(&sc[i]);
    }
    printf("%s: %lu crash points tried (%lu runs with different fates of "
           "unsynced writes), %lu I/O failure points; all left the old or "
           "the new state\n",
           tu_test_name, crash_points, crash_runs, fail_points);
    for (i = 0; i < 4; i++)
        free_scenario(&sc[i]);
    compaction();
    printf("%s: passed in %.2f s\n", tu_test_name, tu_seconds() - t0);
    return 0;
}
