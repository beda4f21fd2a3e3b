/*
 * wine_test.h -- the little harness the Windows integration tests share.
 *
 * Each test is one program: it works in a fresh directory of its own under
 * the current one (tests may run in parallel), counts checks, prints every
 * failure with its line, and ends with tw_finish(), whose value main()
 * returns (0 only if nothing failed).
 */
#ifndef ZMMIO_WINE_TEST_H
#define ZMMIO_WINE_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "zmmio.h"

extern unsigned long tw_checks;
extern unsigned long tw_failures;

void tw_fail(const char *file, int line, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define CHECK(cond)                                                     \
    do {                                                                \
        tw_checks++;                                                    \
        if (!(cond))                                                    \
            tw_fail(__FILE__, __LINE__, "%s", #cond);                   \
    } while (0)

/* Compares two integers, printing both on a mismatch. */
#define CHECK_EQ(a, b)                                                  \
    do {                                                                \
        long long tw_a_ = (long long)(a), tw_b_ = (long long)(b);       \
        tw_checks++;                                                    \
        if (tw_a_ != tw_b_)                                             \
            tw_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, \
                    tw_a_, tw_b_);                                      \
    } while (0)

/* Makes ./<name>.dir (emptied if it exists) and enters it. */
void tw_enter_workdir(const char *name);

/* Prints the summary line and returns main's exit status. */
int tw_finish(const char *name);

/* Whole-file helpers (plain C stdio). tw_read_file returns a malloc'd
 * buffer (NULL if the file is missing) and its size in *len. */
int tw_write_file(const char *path, const void *data, size_t len);
unsigned char *tw_read_file(const char *path, size_t *len);

/* Reads a whole member through the core library (not through mmio), to
 * check what an archive holds independently of the procedure. NULL (and
 * *len = 0) if it cannot. */
unsigned char *tw_read_member(const char *archive, const char *member,
                              size_t *len);

/* Writes `data` as member `member` of `archive` (created if needed) through
 * the core library. Returns 0 on success. */
int tw_write_member(const char *archive, const char *member,
                    const void *data, size_t len);

/* splitmix64: a small, seedable generator, the same on every platform. */
uint64_t tw_rand(uint64_t *state);
/* Uniform in [0, n) (n > 0). */
uint32_t tw_below(uint64_t *state, uint32_t n);
void tw_fill_random(uint64_t *state, unsigned char *buf, size_t len);

/* mmioOpenA on a copy of `name` (mmioOpen may write to its argument). */
HMMIO tw_mmio_open(const char *name, MMIOINFO *info, DWORD flags);

/* Installs the procedure, failing the test (and exiting) if it cannot. */
void tw_install(void);

#endif
