/*
 * memory_file.c -- a zmm_file held in memory, for tests: the core runs over
 * it exactly as over a real file, and the test inspects the bytes.
 *
 * Test support, not core: it allocates with plain malloc/realloc, so the
 * core's failing allocator (alloc.h) never fails it behind a test's back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "thread.h"

typedef struct memory_file {
    zmm_file base; /* first: a zmm_file * is a memory_file * */
    unsigned char *data; /* never NULL */
    size_t len;
    size_t cap;
    /* Held by writers (which may move data) and by read_shared, the one
     * method another thread calls: the owner's own reads need no lock, as
     * only the owner writes. */
    zmm_mutex *lock;
} memory_file;

static const zmm_file_methods memory_methods;

/* Makes room for `need` bytes, zero-filling from len on: the gap a write
 * past the end leaves, or a growing truncate, reads as zeros. */
static zmm_result reserve(memory_file *m, uint64_t need)
{
    if (need > SIZE_MAX)
        return ZMM_ERR_NOMEM;
    if (need > m->cap) {
        size_t cap = m->cap;
        unsigned char *p;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? (size_t)need : cap * 2;
        p = realloc(m->data, cap);
        if (!p)
            return ZMM_ERR_NOMEM;
        m->data = p;
        m->cap = cap;
    }
    if (need > m->len)
        memset(m->data + m->len, 0, (size_t)need - m->len);
    return ZMM_OK;
}

static zmm_result memory_read_at(zmm_file *f, uint64_t offset, void *buf,
                                 size_t len)
{
    memory_file *m = (memory_file *)f;

    if (len == 0) /* as every zmm_file: nothing to read, wherever */
        return ZMM_OK;
    if (offset > m->len || len > m->len - offset)
        return ZMM_ERR_CORRUPT; /* the file ends first */
    memcpy(buf, m->data + offset, len);
    return ZMM_OK;
}

static zmm_result memory_read_shared(zmm_file *f, uint64_t offset,
                                     void *buf, size_t len)
{
    memory_file *m = (memory_file *)f;
    zmm_result rc;

    zmm_mutex_lock(m->lock);
    rc = memory_read_at(f, offset, buf, len);
    zmm_mutex_unlock(m->lock);
    return rc;
}

static zmm_result write_locked(memory_file *m, uint64_t offset,
                               const void *buf, size_t len)
{
    zmm_result rc;

    if (len == 0) /* as pwrite: writing nothing extends nothing */
        return ZMM_OK;
    if (offset > UINT64_MAX - len)
        return ZMM_ERR_NOMEM;
    if (offset + len > m->len) {
        rc = reserve(m, offset + len);
        if (rc != ZMM_OK)
            return rc;
        m->len = (size_t)(offset + len);
    }
    memcpy(m->data + offset, buf, len);
    return ZMM_OK;
}

static zmm_result memory_write_at(zmm_file *f, uint64_t offset,
                                  const void *buf, size_t len)
{
    memory_file *m = (memory_file *)f;
    zmm_result rc;

    zmm_mutex_lock(m->lock);
    rc = write_locked(m, offset, buf, len);
    zmm_mutex_unlock(m->lock);
    return rc;
}

static zmm_result memory_size(zmm_file *f, uint64_t *size)
{
    *size = ((memory_file *)f)->len;
    return ZMM_OK;
}

static zmm_result memory_truncate(zmm_file *f, uint64_t size)
{
    memory_file *m = (memory_file *)f;
    zmm_result rc;

    zmm_mutex_lock(m->lock);
    rc = reserve(m, size);
    if (rc == ZMM_OK)
        m->len = (size_t)size;
    zmm_mutex_unlock(m->lock);
    return rc;
}

static zmm_result memory_sync(zmm_file *f)
{
    (void)f;
    return ZMM_OK;
}

static zmm_result memory_close(zmm_file *f)
{
    zmm_mutex_free(((memory_file *)f)->lock);
    free(((memory_file *)f)->data);
    free(f);
    return ZMM_OK;
}

static const zmm_file_methods memory_methods = {
    memory_read_at, memory_write_at, memory_size,
    memory_truncate, memory_sync, memory_close, memory_read_shared,
    NULL, /* no identity: nothing of it is shared */
};

zmm_file *zmm_memfile_new(const void *data, size_t len)
{
    memory_file *m = malloc(sizeof *m);

    if (!m)
        return NULL;
    m->base.methods = &memory_methods;
    m->base.os_error = 0;
    m->cap = len ? len : 64;
    m->len = len;
    m->data = malloc(m->cap);
    m->lock = zmm_mutex_new();
    if (!m->data || !m->lock) {
        zmm_mutex_free(m->lock);
        free(m->data);
        free(m);
        return NULL;
    }
    if (len)
        memcpy(m->data, data, len);
    return &m->base;
}

const unsigned char *zmm_memfile_data(zmm_file *f, size_t *len)
{
    memory_file *m = (memory_file *)f;

    if (!f || f->methods != &memory_methods) { /* not a memory file */
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = m->len;
    return m->data;
}
