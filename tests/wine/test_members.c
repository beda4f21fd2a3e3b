/*
 * test_members.c -- several members in one archive, several handles on one
 * archive, distinct handles used from several threads at once, and a member
 * with a preset dictionary read and appended to through mmio.
 */
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"
#include "zmm.h"

#define MEMBERS 6
#define MEMBER_SIZE(i) (40000u + 23456u * (unsigned)(i))

static unsigned char *expected[MEMBERS];

static void make_member_data(void)
{
    int i;

    for (i = 0; i < MEMBERS; i++) {
        uint64_t rng = 1000u + (unsigned)i;
        size_t n;

        expected[i] = malloc(MEMBER_SIZE(i));
        for (n = 0; n < MEMBER_SIZE(i); n++)
            expected[i][n] = (unsigned char)(i % 2 ? tw_rand(&rng)
                                                   : (n / 97 + (unsigned)i));
    }
}

static void member_name(char *buf, size_t size, int i)
{
    snprintf(buf, size, "pack.zmm+track%02d.wav", i);
}

/* Writes every member through mmio, in one or several opens. */
static void test_write_members(void)
{
    char name[64];
    int i;

    for (i = 0; i < MEMBERS; i++) {
        HMMIO h;

        member_name(name, sizeof name, i);
        h = tw_mmio_open(name, NULL,
                         MMIO_CREATE | MMIO_WRITE | (i % 2 ? MMIO_ALLOCBUF : 0));
        CHECK(h != NULL);
        if (!h)
            continue;
        CHECK_EQ(mmioWrite(h, (HPSTR)expected[i], (LONG)MEMBER_SIZE(i)),
                 (LONG)MEMBER_SIZE(i));
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    for (i = 0; i < MEMBERS; i++) {
        size_t len;
        unsigned char *got;

        member_name(name, sizeof name, i);
        got = tw_read_member("pack.zmm", strchr(name, '+') + 1, &len);
        CHECK_EQ(len, MEMBER_SIZE(i));
        CHECK(got && len == MEMBER_SIZE(i) && !memcmp(got, expected[i], len));
        free(got);
    }
}

/* Reads member i through h at random places, comparing every byte. */
static int read_random(HMMIO h, int i, uint64_t *rng, int rounds)
{
    unsigned char *b = malloc(20000);
    int bad = b ? 0 : 4;

    while (rounds-- > 0 && !bad) {
        LONG size = (LONG)MEMBER_SIZE(i);
        LONG pos = (LONG)tw_below(rng, (uint32_t)size + 100);
        LONG n = (LONG)tw_below(rng, 20000);
        LONG want = pos >= size ? 0 : (pos + n > size ? size - pos : n);

        if (mmioSeek(h, pos, SEEK_SET) != pos)
            bad = 1;
        else if (mmioRead(h, (HPSTR)b, n) != want)
            bad = 2;
        else if (want > 0 && memcmp(b, expected[i] + pos, (size_t)want))
            bad = 3;
    }
    free(b);
    return bad;
}

static void test_two_handles(void)
{
    uint64_t rng = 7;
    HMMIO a, b, w;
    char buf[16];

    /* Two readers of one archive, on two members and on the same one. */
    a = tw_mmio_open("pack.zmm+track01.wav", NULL, MMIO_READ);
    b = tw_mmio_open("pack.zmm+track02.wav", NULL, MMIO_READ | MMIO_ALLOCBUF);
    CHECK(a && b);
    if (a && b) {
        int k;

        for (k = 0; k < 20; k++) {
            CHECK_EQ(read_random(a, 1, &rng, 5), 0);
            CHECK_EQ(read_random(b, 2, &rng, 5), 0);
        }
    }
    if (b)
        mmioClose(b, 0);
    b = tw_mmio_open("pack.zmm+track01.wav", NULL, MMIO_READ | MMIO_ALLOCBUF);
    CHECK(b != NULL);
    if (a && b) {
        CHECK_EQ(read_random(a, 1, &rng, 50), 0);
        CHECK_EQ(read_random(b, 1, &rng, 50), 0);
    }
    /* A writer beside them: the readers keep the state they opened, the
     * writer's changes are there for the next open after its close. */
    w = tw_mmio_open("pack.zmm+track01.wav", NULL, MMIO_READWRITE);
    CHECK(w != NULL);
    if (w) {
        CHECK_EQ(mmioWrite(w, "CHANGED", 7), 7);
        CHECK_EQ(mmioClose(w, 0), 0);
    }
    if (a) {
        CHECK_EQ(read_random(a, 1, &rng, 50), 0); /* still the old bytes */
        CHECK_EQ(mmioClose(a, 0), 0);
    }
    if (b)
        CHECK_EQ(mmioClose(b, 0), 0);
    a = tw_mmio_open("pack.zmm+track01.wav", NULL, MMIO_READ);
    CHECK(a != NULL);
    if (a) {
        CHECK_EQ(mmioRead(a, buf, 7), 7);
        CHECK(!memcmp(buf, "CHANGED", 7));
        CHECK_EQ(mmioClose(a, 0), 0);
    }
    memcpy(expected[1], "CHANGED", 7);
}

typedef struct job {
    int member;
    int buffered;
    int writer;     /* writes its own archive instead of reading */
    int rounds;
    int result;     /* 0 = all bytes right */
} job;

static unsigned __stdcall reader_thread(void *arg)
{
    job *j = arg;
    char name[64];
    uint64_t rng = 99u + (unsigned)j->member;
    HMMIO h;

    member_name(name, sizeof name, j->member);
    h = tw_mmio_open(name, NULL, MMIO_READ | (j->buffered ? MMIO_ALLOCBUF : 0));
    if (!h) {
        j->result = 10;
        return 0;
    }
    j->result = read_random(h, j->member, &rng, j->rounds);
    if (mmioClose(h, 0))
        j->result = 11;
    return 0;
}

static unsigned __stdcall writer_thread(void *arg)
{
    job *j = arg;
    char name[64];
    int k;

    snprintf(name, sizeof name, "thread%d.zmm+data", j->member);
    for (k = 0; k < j->rounds && !j->result; k++) {
        HMMIO h = tw_mmio_open(name, NULL, MMIO_CREATE | MMIO_READWRITE
                                               | (j->buffered ? MMIO_ALLOCBUF : 0));
        char check[16];

        if (!h) {
            j->result = 20;
            break;
        }
        if (mmioWrite(h, (HPSTR)expected[j->member], 30000) != 30000)
            j->result = 21;
        if (mmioSeek(h, 1000, SEEK_SET) != 1000
            || mmioRead(h, check, 16) != 16
            || memcmp(check, expected[j->member] + 1000, 16))
            j->result = 23;
        if (mmioClose(h, 0))
            j->result = 22;
    }
    return 0;
}

static void test_threads(void)
{
    job jobs[6] = {
        { 0, 0, 0, 300, -1 }, { 3, 1, 0, 300, -1 }, { 4, 0, 0, 300, -1 },
        { 4, 1, 0, 300, -1 }, { 0, 0, 1, 20, -1 }, { 5, 1, 1, 20, -1 },
    };
    HANDLE threads[6];
    int i;

    for (i = 0; i < 6; i++) {
        jobs[i].result = 0;
        threads[i] = (HANDLE)_beginthreadex(
            NULL, 0, jobs[i].writer ? writer_thread : reader_thread, &jobs[i],
            0, NULL);
        CHECK(threads[i] != NULL);
    }
    WaitForMultipleObjects(6, threads, TRUE, INFINITE);
    for (i = 0; i < 6; i++) {
        CloseHandle(threads[i]);
        CHECK_EQ(jobs[i].result, 0);
    }
    /* What the writers left. */
    for (i = 4; i < 6; i++) {
        char archive[32];
        size_t len;
        unsigned char *back;

        snprintf(archive, sizeof archive, "thread%d.zmm", jobs[i].member);
        back = tw_read_member(archive, "data", &len);
        CHECK(back && len == 30000
              && !memcmp(back, expected[jobs[i].member], 30000));
        free(back);
    }
}

/* Text of `n` bytes: words in a pseudo-random order, so that 64 KiB blocks
 * gain from a dictionary. */
static void make_text(unsigned char *p, size_t n, uint64_t seed)
{
    static const char *const words[] = {
        "the ", "archive ", "member ", "block ", "dictionary ", "mmio ",
        "reads ", "writes ", "a ", "of ", "and ", "sample ", "wave ",
        "player ", "seek\n", "offset ", "level ", "deflate ", "zmm ", "to "};
    size_t i = 0;

    while (i < n) {
        const char *w = words[tw_below(&seed, 20)];
        size_t k;

        for (k = 0; w[k] != '\0' && i < n; k++)
            p[i++] = (unsigned char)w[k];
    }
}

/* A member with a preset dictionary, made by the core library, reads
 * through mmio as its plain bytes; an append and an overwrite through mmio
 * keep it decodable (the DLL's writer keeps the dictionary). */
static void test_dictionary_member(void)
{
    enum { SIZE = 300000, MORE = 70000 };
    unsigned char *text = malloc(SIZE + MORE), *got = malloc(SIZE + MORE);
    unsigned char dict[ZMM_MAX_DICTIONARY];
    size_t dict_len = 0, len = 0, index = 0;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_info mi;
    uint64_t rng = 77;
    HMMIO h;
    int k;

    CHECK(text && got);
    if (!text || !got)
        return;
    make_text(text, SIZE + MORE, 5);
    CHECK_EQ(zmm_train_dictionary(text, SIZE, dict, sizeof dict, &dict_len),
             ZMM_OK);
    CHECK_EQ(zmm_archive_open("dict.zmm", ZMM_OPEN_WRITE | ZMM_OPEN_CREATE,
                              &ar, NULL), ZMM_OK);
    CHECK_EQ(zmm_stream_open(ar, "text.txt",
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, NULL, &s),
             ZMM_OK);
    CHECK_EQ(zmm_stream_set_dictionary(s, dict, dict_len), ZMM_OK);
    CHECK_EQ(zmm_stream_write(s, text, SIZE), ZMM_OK);
    CHECK_EQ(zmm_stream_close(s), ZMM_OK);
    CHECK_EQ(zmm_archive_close(ar), ZMM_OK);

    /* Reads: whole, then at random places, unbuffered and buffered. */
    h = tw_mmio_open("dict.zmm+text.txt", NULL, MMIO_READ);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioRead(h, (HPSTR)got, SIZE + 10), SIZE);
        CHECK(memcmp(got, text, SIZE) == 0);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    h = tw_mmio_open("dict.zmm+text.txt", NULL, MMIO_READ | MMIO_ALLOCBUF);
    CHECK(h != NULL);
    for (k = 0; h && k < 200; k++) {
        LONG pos = (LONG)tw_below(&rng, SIZE), n = (LONG)tw_below(&rng, 20000);

        if (pos + n > SIZE)
            n = SIZE - pos;
        CHECK_EQ(mmioSeek(h, pos, SEEK_SET), pos);
        CHECK_EQ(mmioRead(h, (HPSTR)got, n), n);
        CHECK(memcmp(got, text + pos, (size_t)n) == 0);
    }
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);

    /* Writes through mmio: an overwrite in the middle, an append. */
    h = tw_mmio_open("dict.zmm+text.txt", NULL, MMIO_READWRITE);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioSeek(h, 100000, SEEK_SET), 100000);
        CHECK_EQ(mmioWrite(h, "OVERWRITTEN", 11), 11);
        memcpy(text + 100000, "OVERWRITTEN", 11);
        CHECK_EQ(mmioSeek(h, 0, SEEK_END), SIZE);
        CHECK_EQ(mmioWrite(h, (HPSTR)text + SIZE, MORE), MORE);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    free(got);
    got = tw_read_member("dict.zmm", "text.txt", &len);
    CHECK_EQ(len, SIZE + MORE);
    CHECK(got && len == SIZE + MORE && !memcmp(got, text, len));
    h = tw_mmio_open("dict.zmm+text.txt", NULL, MMIO_READ);
    CHECK(h != NULL);
    if (h && got) {
        CHECK_EQ(mmioRead(h, (HPSTR)got, SIZE + MORE), SIZE + MORE);
        CHECK(memcmp(got, text, SIZE + MORE) == 0);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    /* Still a member with its dictionary. */
    CHECK_EQ(zmm_archive_open("dict.zmm", ZMM_OPEN_READ, &ar, NULL), ZMM_OK);
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    CHECK_EQ(zmm_archive_find(ar, "text.txt", &index), ZMM_OK);
    CHECK_EQ(zmm_archive_member_info(ar, index, &mi), ZMM_OK);
    CHECK(mi.flags & ZMM_MEMBER_DICT);
    CHECK_EQ(mi.dict_length, dict_len);
    CHECK_EQ(zmm_archive_verify_member(ar, "text.txt", NULL), ZMM_OK);
    CHECK_EQ(zmm_archive_close(ar), ZMM_OK);
    free(got);
    free(text);
}

int main(void)
{
    int i;

    tw_enter_workdir("members");
    make_member_data();
    tw_install();
    test_write_members();
    test_two_handles();
    test_threads();
    test_dictionary_member();
    CHECK(ZmmRemoveIOProc());
    for (i = 0; i < MEMBERS; i++)
        free(expected[i]);
    return tw_finish("test_members");
}
