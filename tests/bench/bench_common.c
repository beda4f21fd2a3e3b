/* bench_common.c -- see bench_common.h. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif
#include "bench_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../splitmix64.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

double bench_now(void)
{
#ifdef _WIN32
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;

    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)freq.QuadPart;
#else
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#endif
}

uint64_t bench_rand(uint64_t *state)
{
    return splitmix64(state);
}

uint64_t bench_below(uint64_t *state, uint64_t n)
{
    return n ? bench_rand(state) % n : 0;
}

/* ---- workloads ------------------------------------------------------------ */

static void alloc_ops(bench_workload *w, size_t count)
{
    w->ops = calloc(count ? count : 1, sizeof *w->ops);
    if (w->ops == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        exit(2);
    }
    w->count = count;
}

static void sum_bytes(bench_workload *w, uint64_t size)
{
    size_t i;

    w->bytes = 0;
    for (i = 0; i < w->count; i++) {
        uint64_t end = w->ops[i].offset + w->ops[i].len;

        if (end > size)
            end = size;
        if (w->ops[i].offset < end)
            w->bytes += end - w->ops[i].offset;
    }
}

void bench_make_seq(bench_workload *w, uint64_t size)
{
    size_t i, n = (size_t)((size + 65535) / 65536);

    w->name = "seq64k";
    w->label = "sequential 64 KiB reads";
    w->sequential = 1;
    alloc_ops(w, n);
    for (i = 0; i < n; i++) {
        w->ops[i].offset = (uint64_t)i * 65536;
        w->ops[i].len = 65536;
    }
    sum_bytes(w, size);
}

void bench_make_rand(bench_workload *w, uint64_t size, size_t nrand,
                     uint64_t seed)
{
    size_t i;

    w->name = "rand4k";
    w->label = "uniform random 4 KiB reads";
    w->sequential = 0;
    alloc_ops(w, nrand);
    for (i = 0; i < nrand; i++) {
        w->ops[i].offset = bench_below(&seed, size > 4096 ? size - 4096 : 1);
        w->ops[i].len = 4096;
    }
    sum_bytes(w, size);
}

void bench_make_local(bench_workload *w, uint64_t size, size_t nlocal,
                      uint64_t seed)
{
    const uint64_t window = 1u << 20;
    uint64_t base = 0;
    size_t i;

    w->name = "local4k";
    w->label = "local random 4 KiB reads (1 MiB window, +4 KiB every 8 reads)";
    w->sequential = 0;
    alloc_ops(w, nlocal);
    for (i = 0; i < nlocal; i++) {
        uint64_t span = window;

        if (i > 0 && i % 8 == 0) {
            base += 4096;
            if (base + 4096 >= size)
                base = 0;
        }
        if (base + span > size)
            span = size - base;
        w->ops[i].offset =
            base + bench_below(&seed, span > 4096 ? span - 4096 : 1);
        w->ops[i].len = 4096;
    }
    sum_bytes(w, size);
}

void bench_free_workload(bench_workload *w)
{
    free(w->ops);
    w->ops = NULL;
    w->count = 0;
}

/* ---- checked runs ---------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t load8(const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    memcpy(&v, p, n < 8 ? n : 8);
    return v;
}

static uint64_t sample_of(uint64_t h, const unsigned char *p, size_t n)
{
    h = mix(h, n);
    if (n > 0) {
        h = mix(h, load8(p, n));
        h = mix(h, n >= 8 ? load8(p + n - 8, 8) : 0);
    }
    return h;
}

static size_t expected_len(const bench_op *op, uint64_t size)
{
    if (op->offset >= size)
        return 0;
    return size - op->offset < op->len ? (size_t)(size - op->offset)
                                       : op->len;
}

uint64_t bench_expected_sample(const bench_workload *w,
                               const unsigned char *ref, uint64_t size,
                               size_t max_ops)
{
    size_t i, n = max_ops && max_ops < w->count ? max_ops : w->count;
    uint64_t h = 0;

    for (i = 0; i < n; i++)
        h = sample_of(h, ref + w->ops[i].offset, expected_len(&w->ops[i], size));
    return h;
}

double bench_run(const bench_reader *r, const bench_workload *w,
                 const unsigned char *ref, uint64_t size, size_t max_ops,
                 uint64_t *sample)
{
    static unsigned char *buf;
    size_t i, n = max_ops && max_ops < w->count ? max_ops : w->count;
    uint64_t h = 0;
    double t0, t;

    if (buf == NULL) {
        buf = malloc(1u << 20);
        if (buf == NULL)
            return -1;
    }
    t0 = bench_now();
    if (w->sequential && r->seek(r->ctx, w->ops[0].offset) != 0) {
        fprintf(stderr, "bench: %s %s: seek to 0 failed\n", r->name, w->name);
        return -1;
    }
    for (i = 0; i < n; i++) {
        const bench_op *op = &w->ops[i];
        size_t want = expected_len(op, size);
        long long got;

        if (!w->sequential && r->seek(r->ctx, op->offset) != 0) {
            fprintf(stderr, "bench: %s %s op %zu: seek to %llu failed\n",
                    r->name, w->name, i, (unsigned long long)op->offset);
            return -1;
        }
        got = r->read(r->ctx, buf, op->len);
        if (got < 0 || (size_t)got != want) {
            fprintf(stderr,
                    "bench: %s %s op %zu: read %u at %llu gave %lld, not %zu\n",
                    r->name, w->name, i, op->len,
                    (unsigned long long)op->offset, got, want);
            return -1;
        }
        if (ref != NULL && memcmp(buf, ref + op->offset, want) != 0) {
            fprintf(stderr, "bench: %s %s op %zu: WRONG BYTES at %llu\n",
                    r->name, w->name, i, (unsigned long long)op->offset);
            return -1;
        }
        h = sample_of(h, buf, want);
    }
    t = bench_now() - t0;
    if (sample != NULL)
        *sample = h;
    return t;
}

/* ---- statistics, results ---------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Copies a name or note; a ',' becomes ';' so the CSV needs no quoting. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src), i;

    if (n >= cap)
        n = cap - 1;
    for (i = 0; i < n; i++)
        dst[i] = src[i] == ',' ? ';' : src[i];
    dst[n] = '\0';
}

/* A full array twice as long (`first` elements the first time). */
static void *grow(void *v, size_t *cap, size_t first, size_t elem)
{
    size_t n = *cap ? *cap * 2 : first;

    v = realloc(v, n * elem);
    if (v == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        exit(2);
    }
    *cap = n;
    return v;
}

bench_result *bench_add(bench_results *rs, const char *dataset,
                        const char *workload, const char *system,
                        const char *unit, double *samples, int reps)
{
    bench_result *r;

    if (rs->n == rs->cap)
        rs->v = grow(rs->v, &rs->cap, 64, sizeof *rs->v);
    r = &rs->v[rs->n++];
    memset(r, 0, sizeof *r);
    copy_str(r->dataset, sizeof r->dataset, dataset);
    copy_str(r->workload, sizeof r->workload, workload);
    copy_str(r->system, sizeof r->system, system);
    copy_str(r->unit, sizeof r->unit, unit);
    r->reps = reps;
    r->value = bench_median(samples, reps);
    r->min = reps > 0 ? samples[0] : 0;
    r->max = reps > 0 ? samples[reps - 1] : 0;
    return r;
}

bench_result *bench_find(bench_results *rs, const char *dataset,
                         const char *workload, const char *system)
{
    size_t i;

    for (i = 0; i < rs->n; i++)
        if (strcmp(rs->v[i].dataset, dataset) == 0 &&
            strcmp(rs->v[i].workload, workload) == 0 &&
            strcmp(rs->v[i].system, system) == 0)
            return &rs->v[i];
    return NULL;
}

void bench_ratio(bench_result *r, const bench_result *base, int inverse)
{
    if (r == NULL || base == NULL || base->value <= 0 || r->value <= 0)
        return;
    copy_str(r->vs, sizeof r->vs, base->system);
    r->ratio = inverse ? base->value / r->value : r->value / base->value;
}

void bench_write_csv(FILE *f, const bench_results *rs)
{
    size_t i;

    fprintf(f, "dataset,workload,system,unit,median,min,max,reps,vs,ratio,note\n");
    for (i = 0; i < rs->n; i++) {
        const bench_result *r = &rs->v[i];

        fprintf(f, "%s,%s,%s,%s,%.10g,%.10g,%.10g,%d,%s,%.4f,%s\n", r->dataset,
                r->workload, r->system, r->unit, r->value, r->min, r->max,
                r->reps, r->vs, r->ratio, r->note);
    }
}

int bench_read_csv(const char *path, bench_results *rs)
{
    FILE *f = fopen(path, "r");
    char line[1024];

    if (f == NULL)
        return -1;
    if (fgets(line, sizeof line, f) == NULL) { /* the header */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *field[5], *p = line;
        double median;
        int k;

        for (k = 0; k < 5; k++) { /* dataset,workload,system,unit,median */
            field[k] = p;
            p = strchr(p, ',');
            if (p == NULL)
                break;
            *p++ = '\0';
        }
        if (k < 5)
            continue;
        median = strtod(field[4], NULL);
        bench_add(rs, field[0], field[1], field[2], field[3], &median, 1);
    }
    fclose(f);
    return 0;
}

void bench_target_add(bench_targets *ts, const char *what,
                      const char *dataset, double value, double threshold,
                      int at_most, const char *detail)
{
    bench_target *t;

    if (ts->n == ts->cap)
        ts->v = grow(ts->v, &ts->cap, 32, sizeof *ts->v);
    t = &ts->v[ts->n++];
    memset(t, 0, sizeof *t);
    copy_str(t->what, sizeof t->what, what);
    copy_str(t->dataset, sizeof t->dataset, dataset);
    copy_str(t->detail, sizeof t->detail, detail ? detail : "");
    t->value = value;
    t->threshold = threshold;
    t->at_most = at_most;
}

int bench_target_met(const bench_target *t)
{
    return t->at_most ? t->value <= t->threshold : t->value >= t->threshold;
}

void bench_write_targets_csv(FILE *f, const bench_targets *ts)
{
    size_t i;

    fprintf(f, "target,dataset,value,threshold,at_most,met,detail\n");
    for (i = 0; i < ts->n; i++) {
        const bench_target *t = &ts->v[i];

        fprintf(f, "%s,%s,%.4f,%.4f,%d,%s,%s\n", t->what, t->dataset,
                t->value, t->threshold, t->at_most,
                bench_target_met(t) ? "yes" : "no", t->detail);
    }
}

void bench_write_targets_md(FILE *f, const bench_targets *ts)
{
    size_t i;

    fprintf(f, "| target | data set | measured | needed | met | detail |\n");
    fprintf(f, "|---|---|---:|---:|:---:|---|\n");
    for (i = 0; i < ts->n; i++) {
        const bench_target *t = &ts->v[i];

        fprintf(f, "| %s | %s | %.3f | %s %.3f | %s | %s |\n", t->what,
                t->dataset, t->value, t->at_most ? "≤" : "≥", t->threshold,
                bench_target_met(t) ? "**yes**" : "**no**", t->detail);
    }
    fprintf(f, "\n");
}

static void format_value(char *out, size_t cap, const bench_result *r)
{
    if (strcmp(r->unit, "bytes") == 0)
        snprintf(out, cap, "%.2f MiB", r->value / 1048576.0);
    else if (r->value >= 100)
        snprintf(out, cap, "%.0f %s", r->value, r->unit);
    else if (r->value >= 1)
        snprintf(out, cap, "%.1f %s", r->value, r->unit);
    else
        snprintf(out, cap, "%.3f %s", r->value, r->unit);
}

void bench_write_md_table(FILE *f, const bench_results *rs,
                          const char *workload, const char *title,
                          const char *const *datasets, size_t ndatasets)
{
    const char *systems[32];
    size_t nsys = 0, i, j, k;

    for (i = 0; i < rs->n; i++) {
        const bench_result *r = &rs->v[i];
        int seen = 0;

        if (strcmp(r->workload, workload) != 0)
            continue;
        for (k = 0; k < nsys; k++)
            if (strcmp(systems[k], r->system) == 0)
                seen = 1;
        if (!seen && nsys < 32)
            systems[nsys++] = r->system;
    }
    if (nsys == 0)
        return;
    fprintf(f, "#### %s\n\n| system |", title);
    for (j = 0; j < ndatasets; j++)
        fprintf(f, " %s |", datasets[j]);
    fprintf(f, "\n|---|");
    for (j = 0; j < ndatasets; j++)
        fprintf(f, "---:|");
    fprintf(f, "\n");
    for (k = 0; k < nsys; k++) {
        fprintf(f, "| %s |", systems[k]);
        for (j = 0; j < ndatasets; j++) {
            const bench_result *r = NULL;
            char cell[64];

            for (i = 0; i < rs->n; i++)
                if (strcmp(rs->v[i].workload, workload) == 0 &&
                    strcmp(rs->v[i].system, systems[k]) == 0 &&
                    strcmp(rs->v[i].dataset, datasets[j]) == 0)
                    r = &rs->v[i];
            if (r == NULL) {
                fprintf(f, " – |");
                continue;
            }
            format_value(cell, sizeof cell, r);
            if (strcmp(r->unit, "bytes") == 0)
                fprintf(f, " %s (%.4f)%s%s |", cell, r->ratio,
                        r->note[0] ? "; " : "", r->note);
            else if (r->vs[0] != '\0' && strcmp(r->vs, r->system) != 0)
                fprintf(f, " %s (%.2f× %s)%s%s |", cell, r->ratio, r->vs,
                        r->note[0] ? "; " : "", r->note);
            else
                fprintf(f, " %s%s%s |", cell, r->note[0] ? "; " : "",
                        r->note);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

/* ---- quick-mode data ---------------------------------------------------------- */

static const char *const words[] = {
    "the", "archive", "block", "stream", "of", "and", "a", "to", "in",
    "member", "read", "write", "seek", "player", "sound", "file", "is",
    "compressed", "each", "offset", "with", "for", "that", "wave", "data",
    "chunk", "format", "on", "it", "as", "header", "directory", "cache"};

void bench_synth(const char *kind, unsigned char *buf, size_t n,
                 uint64_t seed)
{
    size_t i = 0;

    if (strcmp(kind, "random") == 0) {
        for (i = 0; i + 8 <= n; i += 8) {
            uint64_t v = bench_rand(&seed);

            memcpy(buf + i, &v, 8);
        }
        for (; i < n; i++)
            buf[i] = (unsigned char)bench_rand(&seed);
    } else if (strcmp(kind, "text") == 0) {
        size_t col = 0;

        while (i < n) {
            const char *w = words[bench_below(&seed, sizeof words / sizeof *words)];
            size_t len = strlen(w);

            if (col + len + 1 > 72) {
                buf[i++] = '\n';
                col = 0;
                continue;
            }
            if (i + len + 1 > n)
                len = n - i - 1;
            memcpy(buf + i, w, len);
            i += len;
            buf[i++] = ' ';
            col += len + 1;
        }
    } else { /* audio: two drifting tones, noise, quiet stretches */
        double ph1 = 0, ph2 = 0;
        uint64_t frame = 0;

        for (i = 0; i + 4 <= n; i += 4, frame++) {
            double amp = ((frame / 22050) % 5 == 4) ? 0.02 : 0.4;
            double f1 = 220 + 40 * sin((double)frame / 90000.0);
            int noise = (int)bench_below(&seed, 513) - 256;
            int l, r;

            ph1 += 2 * 3.14159265358979 * f1 / 44100;
            ph2 += 2 * 3.14159265358979 * f1 * 1.5 / 44100;
            l = (int)(32767 * amp * (0.6 * sin(ph1) + 0.4 * sin(ph2))) + noise;
            r = (int)(32767 * amp * (0.5 * sin(ph1 + 0.3) + 0.5 * sin(ph2))) +
                noise / 2;
            buf[i] = (unsigned char)(l & 0xff);
            buf[i + 1] = (unsigned char)((l >> 8) & 0xff);
            buf[i + 2] = (unsigned char)(r & 0xff);
            buf[i + 3] = (unsigned char)((r >> 8) & 0xff);
        }
        for (; i < n; i++)
            buf[i] = 0;
    }
}

unsigned char *bench_read_file(const char *path, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long long len;

    *size = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc(len ? (size_t)len : 1);
        if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
            free(buf);
            buf = NULL;
        }
        if (buf != NULL)
            *size = (uint64_t)len;
    }
    fclose(f);
    return buf;
}

int bench_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : -1;
}

/* A 44-byte RIFF WAVE header (44.1 kHz, 16-bit stereo PCM) over the first
 * bytes of a synthetic audio buffer. */
static void put_le(unsigned char *p, uint32_t v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_wav_header(unsigned char *b, size_t len)
{
    memcpy(b, "RIFF", 4);
    put_le(b + 4, (uint32_t)(len - 8), 4);
    memcpy(b + 8, "WAVEfmt ", 8);
    put_le(b + 16, 16, 4);
    put_le(b + 20, 1, 2);          /* WAVE_FORMAT_PCM */
    put_le(b + 22, 2, 2);          /* channels */
    put_le(b + 24, 44100, 4);
    put_le(b + 28, 44100 * 4, 4);  /* bytes per second */
    put_le(b + 32, 4, 2);          /* block align */
    put_le(b + 34, 16, 2);
    memcpy(b + 36, "data", 4);
    put_le(b + 40, (uint32_t)((len - 44) & ~(size_t)3), 4);
}

int bench_write_quick_set(const char *kind, const char *path, uint64_t seed)
{
    size_t len = (5u << 20) + 12345;
    unsigned char *buf = malloc(len);
    int rc;

    if (buf == NULL)
        return -1;
    bench_synth(kind, buf, len, seed);
    if (strcmp(kind, "audio") == 0)
        put_wav_header(buf, len);
    rc = bench_write_file(path, buf, len);
    free(buf);
    return rc;
}
