/*
 * bench_common.h -- what the benchmark programs share: a clock, a seeded
 * generator, the read workloads (the same offsets for every system), checked
 * reads, medians, result records written as CSV and Markdown, and small data
 * sets for the quick mode.
 *
 * These are programs, not tests: they time things and report ratios; their
 * quick mode (--quick) checks bytes only and asserts nothing about time.
 */
#ifndef ZMM_BENCH_COMMON_H
#define ZMM_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- clock, generator ---------------------------------------------------- */

/* Seconds from an arbitrary start, monotonic, sub-microsecond resolution. */
double bench_now(void);

/* splitmix64 */
uint64_t bench_rand(uint64_t *state);
uint64_t bench_below(uint64_t *state, uint64_t n); /* uniform in [0, n) */

/* ---- workloads ------------------------------------------------------------ */

typedef struct bench_op {
    uint64_t offset;
    uint32_t len;
} bench_op;

typedef struct bench_workload {
    const char *name;  /* "seq64k", "rand4k", "local4k" */
    const char *label; /* for tables */
    bench_op *ops;
    size_t count;
    int sequential;    /* 1: read on from where the previous read ended */
    uint64_t bytes;    /* sum of ops' len, clipped to the data size */
} bench_workload;

/* The three read workloads over `size` bytes:
 *  - seq64k:  the whole file front to back in 64 KiB reads;
 *  - rand4k:  `nrand` 4 KiB reads at uniformly random offsets;
 *  - local4k: `nlocal` 4 KiB reads uniformly random inside a 1 MiB window
 *             that starts at 0 and advances 4 KiB every 8 reads (512 bytes
 *             a read: a player scrubbing around a slowly moving position),
 *             wrapping to 0 at the end.
 * Offsets are not aligned to anything. */
void bench_make_seq(bench_workload *w, uint64_t size);
void bench_make_rand(bench_workload *w, uint64_t size, size_t nrand,
                     uint64_t seed);
void bench_make_local(bench_workload *w, uint64_t size, size_t nlocal,
                      uint64_t seed);
void bench_free_workload(bench_workload *w);

/* ---- systems --------------------------------------------------------------- */

/* A way of reading the data set: seek then read, as a file. */
typedef struct bench_reader {
    const char *name;
    void *ctx;
    /* 0 on success */
    int (*seek)(void *ctx, uint64_t offset);
    /* bytes read (short only at the end) or -1 */
    long long (*read)(void *ctx, void *buf, size_t len);
} bench_reader;

/* Runs workload `w` through reader `r` once. With `ref` (the plain file's
 * bytes) every byte read is compared with it; else only a sampled checksum
 * (the first and last 8 bytes of each read and its length) is kept, which
 * the caller compares with bench_expected_sample(). Returns the seconds
 * taken, or -1 after printing what went wrong. `*sample` receives the
 * sampled checksum. `max_ops`, when nonzero, runs only the first ops. */
double bench_run(const bench_reader *r, const bench_workload *w,
                 const unsigned char *ref, uint64_t size, size_t max_ops,
                 uint64_t *sample);
uint64_t bench_expected_sample(const bench_workload *w,
                               const unsigned char *ref, uint64_t size,
                               size_t max_ops);

/* ---- statistics, results --------------------------------------------------- */

double bench_median(double *v, int n); /* sorts v */

typedef struct bench_result {
    char dataset[32];
    char workload[32];
    char system[64];
    char unit[16];    /* "MB/s", "reads/s", "bytes", "ratio" */
    double value;     /* the median */
    double min, max;
    int reps;
    char vs[64];      /* the baseline system of `ratio`, or "" */
    double ratio;     /* value / baseline's value (or inverse for sizes) */
    char note[96];
} bench_result;

typedef struct bench_results {
    bench_result *v;
    size_t n, cap;
} bench_results;

/* Adds a result from `reps` samples (sorted in place). Returns it. */
bench_result *bench_add(bench_results *rs, const char *dataset,
                        const char *workload, const char *system,
                        const char *unit, double *samples, int reps);
bench_result *bench_find(bench_results *rs, const char *dataset,
                         const char *workload, const char *system);
/* Sets r->ratio = r->value / base->value (the inverse when `inverse`). */
void bench_ratio(bench_result *r, const bench_result *base, int inverse);

void bench_write_csv(FILE *f, const bench_results *rs);
/* Adds the medians of a CSV bench_write_csv wrote (as one-sample
 * results: another program's run). Returns -1 if it cannot be read. */
int bench_read_csv(const char *path, bench_results *rs);

/* A target: `value` compared with `threshold` (met if value >= threshold,
 * or <= when `at_most`). */
typedef struct bench_target {
    char what[96];
    char dataset[32];
    double value;
    double threshold;
    int at_most;
    char detail[160];
} bench_target;

typedef struct bench_targets {
    bench_target *v;
    size_t n, cap;
} bench_targets;

void bench_target_add(bench_targets *ts, const char *what,
                      const char *dataset, double value, double threshold,
                      int at_most, const char *detail);
int bench_target_met(const bench_target *t);
void bench_write_targets_csv(FILE *f, const bench_targets *ts);
void bench_write_targets_md(FILE *f, const bench_targets *ts);

/* A Markdown table of one workload: a row per system, a column per data
 * set, cells "value (ratio× vs baseline)". */
void bench_write_md_table(FILE *f, const bench_results *rs,
                          const char *workload, const char *title,
                          const char *const *datasets, size_t ndatasets);

/* ---- quick-mode data --------------------------------------------------------- */

/* Fills buf with `kind` ("audio": a 16-bit stereo PCM-like signal with noise
 * and quiet passages, "text": words of English-like text, "random") of n
 * bytes, deterministically from seed. */
void bench_synth(const char *kind, unsigned char *buf, size_t n,
                 uint64_t seed);

/* A quick mode's data set: `kind` as bench_synth makes it, 5 MiB + 12345
 * bytes (more than the core's 4 MiB cache, not a whole number of blocks),
 * audio behind a 44-byte WAV header (16-bit stereo, 44.1 kHz) so that the
 * PCM paths run; written to `path`. 0, or -1 if it cannot be. */
int bench_write_quick_set(const char *kind, const char *path, uint64_t seed);

/* Whole files (stdio). */
unsigned char *bench_read_file(const char *path, uint64_t *size);
int bench_write_file(const char *path, const void *data, size_t len);

#endif
