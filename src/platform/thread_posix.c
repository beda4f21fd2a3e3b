/* thread_posix.c -- thread.h on pthreads. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "thread.h"

/* Plain malloc, not zmm_malloc: a thread is never part of what a test's
 * failing allocator covers, and its absence is handled (no read-ahead). */
struct zmm_thread {
    pthread_t id;
    void (*fn)(void *);
    void *arg;
};

struct zmm_mutex {
    pthread_mutex_t m;
};

struct zmm_cond {
    pthread_cond_t c;
};

static void *thread_main(void *p)
{
    zmm_thread *t = p;

    t->fn(t->arg);
    return NULL;
}

zmm_thread *zmm_thread_start(void (*fn)(void *), void *arg)
{
    zmm_thread *t = malloc(sizeof *t);

    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void zmm_thread_join(zmm_thread *t)
{
    pthread_join(t->id, NULL);
    free(t);
}

unsigned zmm_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1;
}

zmm_mutex *zmm_mutex_new(void)
{
    zmm_mutex *m = malloc(sizeof *m);

    if (m != NULL && pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

void zmm_mutex_free(zmm_mutex *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void zmm_mutex_lock(zmm_mutex *m)
{
    pthread_mutex_lock(&m->m);
}

void zmm_mutex_unlock(zmm_mutex *m)
{
    pthread_mutex_unlock(&m->m);
}

zmm_cond *zmm_cond_new(void)
{
    zmm_cond *c = malloc(sizeof *c);

    if (c != NULL && pthread_cond_init(&c->c, NULL) != 0) {
        free(c);
        c = NULL;
    }
    return c;
}

void zmm_cond_free(zmm_cond *c)
{
    if (c == NULL)
        return;
    pthread_cond_destroy(&c->c);
    free(c);
}

void zmm_cond_wait(zmm_cond *c, zmm_mutex *m)
{
    pthread_cond_wait(&c->c, &m->m);
}

void zmm_cond_signal(zmm_cond *c)
{
    pthread_cond_signal(&c->c);
}

void zmm_cond_broadcast(zmm_cond *c)
{
    pthread_cond_broadcast(&c->c);
}
