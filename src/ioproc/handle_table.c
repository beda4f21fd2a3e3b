/*
 * handle_table.c -- validated 32-bit ids for the per-handle state (see
 * handle_table.h for the id layout and the reasons).
 */
#include "handle_table.h"

#define ID_TAG 0x5A000000u
#define ID_TAG_MASK 0xFF000000u
#define ID_GEN_SHIFT 12
#define ID_GEN_MASK 0xFFFu
#define ID_INDEX_MASK 0xFFFu

typedef struct slot {
    void *state;        /* NULL when the slot is free */
    unsigned generation; /* 12 bits, part of the id */
    int busy;           /* acquired by a thread right now */
} slot;

/* Fixed storage: a slot never moves, so no reallocation can race a lookup. */
static slot slots[ZMMIO_TABLE_SLOTS];
static unsigned live;
static unsigned next_hint; /* where the search for a free slot starts */
static CRITICAL_SECTION lock;

void zmmio_table_init(void)
{
    InitializeCriticalSection(&lock);
}

void zmmio_table_cleanup(void)
{
    DeleteCriticalSection(&lock);
}

static DWORD make_id(unsigned index)
{
    return ID_TAG | ((slots[index].generation & ID_GEN_MASK) << ID_GEN_SHIFT)
           | index;
}

/* The slot of a live id, or NULL. Called with the lock held. */
static slot *find(DWORD id)
{
    unsigned index = id & ID_INDEX_MASK;
    unsigned gen = (id >> ID_GEN_SHIFT) & ID_GEN_MASK;

    if ((id & ID_TAG_MASK) != ID_TAG || index >= ZMMIO_TABLE_SLOTS)
        return NULL;
    if (!slots[index].state || (slots[index].generation & ID_GEN_MASK) != gen)
        return NULL;
    return &slots[index];
}

DWORD zmmio_table_insert(void *state)
{
    DWORD id = 0;
    unsigned i;

    EnterCriticalSection(&lock);
    /* Start after the last slot handed out, so a just-freed id is not at
     * once reused (a stale id then fails on the slot being free, not only
     * on the generation). */
    for (i = 0; i < ZMMIO_TABLE_SLOTS; i++) {
        unsigned index = (next_hint + i) % ZMMIO_TABLE_SLOTS;

        if (!slots[index].state) {
            slots[index].state = state;
            slots[index].busy = 1;
            live++;
            next_hint = (index + 1) % ZMMIO_TABLE_SLOTS;
            id = make_id(index);
            break;
        }
    }
    LeaveCriticalSection(&lock);
    return id;
}

void *zmmio_table_acquire(DWORD id)
{
    void *state = NULL;
    slot *s;

    EnterCriticalSection(&lock);
    s = find(id);
    if (s && !s->busy) {
        s->busy = 1;
        state = s->state;
    }
    LeaveCriticalSection(&lock);
    return state;
}

void zmmio_table_release(DWORD id)
{
    slot *s;

    EnterCriticalSection(&lock);
    s = find(id);
    if (s)
        s->busy = 0;
    LeaveCriticalSection(&lock);
}

void *zmmio_table_remove(DWORD id)
{
    void *state = NULL;
    slot *s;

    EnterCriticalSection(&lock);
    s = find(id);
    if (s) {
        state = s->state;
        s->state = NULL;
        s->busy = 0;
        s->generation = (s->generation + 1) & ID_GEN_MASK;
        live--;
    }
    LeaveCriticalSection(&lock);
    return state;
}

unsigned zmmio_table_count(void)
{
    unsigned n;

    EnterCriticalSection(&lock);
    n = live;
    LeaveCriticalSection(&lock);
    return n;
}
