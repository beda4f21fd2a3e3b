/*
 * test_rollback.c -- a failed or abandoned change leaves the archive file
 * byte for byte as it was, in length too (issue 14, "never worse on
 * failure": a full disk must get its space back).
 *
 * The starting archive is committed and has a tail past its directory (what
 * an interrupted commit leaves). Each scenario runs on the fault-injecting
 * file (platform.h) with fail_at = k for every event k of its no-fault run,
 * and once without a fault:
 *   - add: a member written through a stream, then close;
 *   - rm: a member removed, then close;
 *   - abandon: a member written, its stream closed (its blocks appended),
 *     then zmm_archive_abandon().
 * Whenever a call reports the failure, close must report it as the cause
 * (ZMM_ERR_IO, not ZMM_ERR_STATE) and the file must be the original bytes;
 * after abandon it must be the original bytes whatever happened.
 * Then compaction (real files) cancelled before each block in turn (Ctrl+C
 * in zmm compact): ZMM_ERR_CANCELLED, the archive byte for byte as it was,
 * no temporary file left.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "test_util.h"

enum { ADD, RM, ABANDON, SCENARIOS };
static const char *const scenario_name[SCENARIOS] = {"add", "rm",
                                                     "abandon"};

#define MEMBER_SIZE 300000
#define TAIL "bytes an interrupted commit left"

static unsigned char *make_base(size_t *len)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar;
    zmm_stream *s;
    unsigned char *data = tu_xmalloc(MEMBER_SIZE), *out;
    tu_rng rng;

    tu_rng_seed(&rng, 14);
    tu_fill(&rng, TU_DATA_MIXED, data, MEMBER_SIZE);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    CHECK_OK(zmm_stream_open(ar, "a", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             NULL, &s));
    CHECK_OK(zmm_stream_write(s, data, MEMBER_SIZE));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    free(data);
    out = tu_memfile_copy(mem, len);
    mem->methods->close(mem);
    out = tu_xrealloc(out, *len + sizeof TAIL);
    memcpy(out + *len, TAIL, sizeof TAIL);
    *len += sizeof TAIL;
    return out;
}

/* Runs one scenario; returns its events. */
static unsigned long run(const unsigned char *orig, size_t len, int scenario,
                         unsigned long fail_at)
{
    zmm_fault_plan plan;
    zmm_file *mem = zmm_memfile_new(orig, len), *fault;
    zmm_archive *ar;
    zmm_stream *s;
    zmm_result first = ZMM_OK, rc;
    unsigned char *data = tu_xmalloc(MEMBER_SIZE);
    const unsigned char *now;
    size_t now_len, i;
    unsigned long events;
    tu_rng rng;

    memset(&plan, 0, sizeof plan);
    plan.fail_at = fail_at;
    fault = zmm_faultfile_new(mem, &plan);
    tu_set_context("%s, fail_at %lu", scenario_name[scenario], fail_at);
    tu_rng_seed(&rng, 15);
    tu_fill(&rng, TU_DATA_MIXED, data, MEMBER_SIZE);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(fault), ZMM_OPEN_WRITE,
                                   &ar));
    if (scenario == RM) {
        CHECK_OK(zmm_archive_remove(ar, "a"));
    } else {
        CHECK_OK(zmm_stream_open(ar, "b",
                                 ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, NULL,
                                 &s));
        for (i = 0; i < 3 && first == ZMM_OK; i++)
            first = zmm_stream_write(s, data + i * (MEMBER_SIZE / 3),
                                     MEMBER_SIZE / 3);
        { /* abandon too: what zmm add does (its blocks are appended) */
            rc = zmm_stream_close(s);
            if (first == ZMM_OK)
                first = rc;
        }
    }
    /* The sweep fails the writes before abandon, not its own truncate
     * (a rollback that cannot truncate leaves the tail: best effort). */
    events = zmm_faultfile_events(fault);
    rc = scenario == ABANDON ? zmm_archive_abandon(ar)
                             : zmm_archive_close(ar);
    if (first == ZMM_OK && scenario != ABANDON)
        first = rc;
    if (first != ZMM_OK && scenario != ABANDON)
        CHECK_RES(rc, ZMM_ERR_IO); /* the cause, not "unusable" */
    now = zmm_memfile_data(mem, &now_len);
    if (first != ZMM_OK || scenario == ABANDON) {
        CHECK_U64(now_len, len);
        CHECK_MEM(now, orig, len);
    } else {
        CHECK(fail_at == 0 || fail_at > zmm_faultfile_events(fault));
    }
    if (scenario != ABANDON)
        events = zmm_faultfile_events(fault);
    fault->methods->close(fault);
    free(data);
    return events;
}

/* Cancels at the call numbered *context (counting down). */
static int cancel_at(void *context)
{
    unsigned long *left = context;

    return --*left == 0;
}

static void test_compact_cancelled(const unsigned char *orig, size_t len)
{
    char path[512], temp[600];
    zmm_compact_options opt;
    unsigned long calls, k;
    unsigned char *now;
    size_t now_len;
    FILE *f;

    tu_temp_path(path, sizeof path, ".zmm");
    snprintf(temp, sizeof temp, "%s.compact-tmp", path);
    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cancel = cancel_at;
    opt.context = &calls;
    /* How many times a whole compaction asks. */
    CHECK(tu_write_file(path, orig, len));
    calls = (unsigned long)-1;
    CHECK_OK(zmm_compact_ex(path, &opt, NULL));
    calls = (unsigned long)-1 - calls;
    CHECK(calls >= 3); /* each block of "a", and once before the rename */
    for (k = 1; k <= calls; k++) {
        unsigned long left = k;

        tu_set_context("compact cancelled at call %lu of %lu", k, calls);
        CHECK(tu_write_file(path, orig, len));
        opt.context = &left;
        CHECK_RES(zmm_compact_ex(path, &opt, NULL), ZMM_ERR_CANCELLED);
        now = tu_read_file(path, &now_len);
        CHECK(now != NULL);
        CHECK_U64(now_len, len);
        CHECK_MEM(now, orig, len);
        free(now);
        f = fopen(temp, "rb");
        CHECKF(f == NULL, "%s left behind", temp);
    }
    printf("%s: compact: %lu cancel points\n", tu_test_name, calls);
    remove(path);
}

int main(void)
{
    size_t len;
    unsigned char *orig;
    int scenario;

    tu_init("test_rollback");
    orig = make_base(&len);
    for (scenario = 0; scenario < SCENARIOS; scenario++) {
        unsigned long events = run(orig, len, scenario, 0), k;

        CHECK(events > 2);
        for (k = 1; k <= events; k++)
            run(orig, len, scenario, k);
        printf("%s: %s: %lu failure points\n", tu_test_name,
               scenario_name[scenario], events);
    }
    test_compact_cancelled(orig, len);
    free(orig);
    printf("%s: passed\n", tu_test_name);
    return 0;
}
