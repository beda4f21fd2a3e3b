/*
 * thread_win32.c -- thread.h on Win32: _beginthreadex (so the C runtime's
 * per-thread state is set up), SRWLOCK and CONDITION_VARIABLE (Vista+).
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* SRWLOCK, CONDITION_VARIABLE */
#endif
#include <windows.h>
#include <process.h>
#include <stdlib.h>

#include "thread.h"

struct zmm_thread {
    HANDLE handle;
    void (*fn)(void *);
    void *arg;
};

struct zmm_mutex {
    SRWLOCK lock;
};

struct zmm_cond {
    CONDITION_VARIABLE cv;
};

static unsigned __stdcall thread_main(void *p)
{
    zmm_thread *t = p;

    t->fn(t->arg);
    return 0;
}

zmm_thread *zmm_thread_start(void (*fn)(void *), void *arg)
{
    zmm_thread *t = malloc(sizeof *t);
    uintptr_t h;

    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    h = _beginthreadex(NULL, 0, thread_main, t, 0, NULL);
    if (h == 0) {
        free(t);
        return NULL;
    }
    t->handle = (HANDLE)h;
    return t;
}

void zmm_thread_join(zmm_thread *t)
{
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
}

unsigned zmm_cpu_count(void)
{
    SYSTEM_INFO info;

    GetSystemInfo(&info);
    return info.dwNumberOfProcessors > 0 ? info.dwNumberOfProcessors : 1;
}

zmm_mutex *zmm_mutex_new(void)
{
    zmm_mutex *m = malloc(sizeof *m);

    if (m != NULL)
        InitializeSRWLock(&m->lock);
    return m;
}

void zmm_mutex_free(zmm_mutex *m)
{
    free(m); /* an SRWLOCK needs no destruction */
}

void zmm_mutex_lock(zmm_mutex *m)
{
    AcquireSRWLockExclusive(&m->lock);
}

void zmm_mutex_unlock(zmm_mutex *m)
{
    ReleaseSRWLockExclusive(&m->lock);
}

zmm_cond *zmm_cond_new(void)
{
    zmm_cond *c = malloc(sizeof *c);

    if (c != NULL)
        InitializeConditionVariable(&c->cv);
    return c;
}

void zmm_cond_free(zmm_cond *c)
{
    free(c);
}

void zmm_cond_wait(zmm_cond *c, zmm_mutex *m)
{
    SleepConditionVariableSRW(&c->cv, &m->lock, INFINITE, 0);
}

void zmm_cond_signal(zmm_cond *c)
{
    WakeConditionVariable(&c->cv);
}

void zmm_cond_broadcast(zmm_cond *c)
{
    WakeAllConditionVariable(&c->cv);
}
