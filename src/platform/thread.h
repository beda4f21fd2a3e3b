/*
 * thread.h -- the narrow thread interface the core's read-ahead uses: start
 * and join a thread, a mutex, a condition variable. POSIX (pthreads) and
 * Win32 (SRWLOCK, CONDITION_VARIABLE: Vista and later) implement it.
 *
 * Objects are opaque and allocated, so no OS type leaks into the core. Every
 * *_new() returns NULL when memory or the OS refuses; callers then go on
 * without a thread (read-ahead is an optimisation, never a requirement).
 * Never call these from DllMain: starting or joining a thread there
 * deadlocks on the loader lock.
 */
#ifndef ZMM_THREAD_H
#define ZMM_THREAD_H

typedef struct zmm_thread zmm_thread;
typedef struct zmm_mutex zmm_mutex;
typedef struct zmm_cond zmm_cond;

/* Starts fn(arg) on a new thread; NULL if it cannot. */
zmm_thread *zmm_thread_start(void (*fn)(void *), void *arg);
/* Waits for the thread to return and frees it. */
void zmm_thread_join(zmm_thread *t);
/* Processors this process may run on (at least 1): how many threads are
 * worth running at once. */
unsigned zmm_cpu_count(void);

zmm_mutex *zmm_mutex_new(void);
void zmm_mutex_free(zmm_mutex *m); /* NULL is fine */
void zmm_mutex_lock(zmm_mutex *m);
void zmm_mutex_unlock(zmm_mutex *m);

zmm_cond *zmm_cond_new(void);
void zmm_cond_free(zmm_cond *c); /* NULL is fine */
/* Atomically unlocks m and waits; m is locked again on return. It may
 * return spuriously: callers wait in a loop on their predicate. */
void zmm_cond_wait(zmm_cond *c, zmm_mutex *m);
void zmm_cond_signal(zmm_cond *c);
void zmm_cond_broadcast(zmm_cond *c);

#endif
