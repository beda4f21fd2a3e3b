/*
 * archive_info.c -- the archive seen through the core library.
 */
#include "archive_info.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static char *copy_range(const char *s, size_t n)
{
    char *c = malloc(n + 1);

    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

/* Nonzero if the n bytes at s are "zmm" in any case. */
static int is_zmm(const char *s, size_t n)
{
    return n == 3 && tolower((unsigned char)s[0]) == 'z' &&
           tolower((unsigned char)s[1]) == 'm' &&
           tolower((unsigned char)s[2]) == 'm';
}

int archive_split_name(const char *name, char **archive, char **member)
{
    const char *plus = strrchr(name, '+');
    const char *dot;

    *archive = *member = NULL;
    if (!plus)
        return 0;
    for (dot = plus; dot > name && dot[-1] != '.'; dot--)
        ;
    if (dot == name || !is_zmm(dot, (size_t)(plus - dot)))
        return 0;
    *archive = copy_range(name, (size_t)(plus - name));
    *member = copy_range(plus + 1, strlen(plus + 1));
    if (!*archive || !*member) {
        free(*archive);
        free(*member);
        *archive = *member = NULL;
        return 0;
    }
    return 1;
}

int archive_has_zmm_extension(const char *path)
{
    size_t n = strlen(path);

    return n > 4 && path[n - 4] == '.' && is_zmm(path + n - 3, 3);
}

zmm_result archive_read_list(const char *path, archive_list *list,
                             long *os_error)
{
    zmm_archive *ar = NULL;
    zmm_archive_info info;
    zmm_result rc;
    size_t i;

    memset(list, 0, sizeof *list);
    rc = zmm_archive_open(path, ZMM_OPEN_READ, &ar, os_error);
    if (rc != ZMM_OK)
        return rc;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    rc = zmm_archive_get_info(ar, &info);
    if (rc == ZMM_OK) {
        list->file_size = info.file_size;
        list->count = zmm_archive_member_count(ar);
        list->entries = calloc(list->count ? list->count : 1,
                               sizeof *list->entries);
        if (!list->entries)
            rc = ZMM_ERR_NOMEM;
    }
    for (i = 0; rc == ZMM_OK && i < list->count; i++) {
        zmm_member_info mi;

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        rc = zmm_archive_member_info(ar, i, &mi);
        if (rc != ZMM_OK)
            break;
        list->entries[i].name = copy_range(mi.name, strlen(mi.name));
        list->entries[i].size = mi.size;
        list->entries[i].packed_size = mi.packed_size;
        list->entries[i].is_default = (mi.flags & ZMM_MEMBER_DEFAULT) != 0;
        if (!list->entries[i].name)
            rc = ZMM_ERR_NOMEM;
    }
    zmm_archive_close(ar);
    if (rc != ZMM_OK)
        archive_free_list(list);
    return rc;
}

void archive_free_list(archive_list *list)
{
    size_t i;

    for (i = 0; list->entries && i < list->count; i++)
        free(list->entries[i].name);
    free(list->entries);
    memset(list, 0, sizeof *list);
}

const archive_entry *archive_find_entry(const archive_list *list,
                                        const char *member)
{
    size_t i;

    for (i = 0; i < list->count; i++) {
        const archive_entry *e = &list->entries[i];

        if (*member ? strcmp(e->name, member) == 0 : e->is_default)
            return e;
    }
    return NULL;
}

void archive_describe_ratio(char *buf, size_t len, uint64_t size,
                            uint64_t packed_size)
{
    char a[32], b[32];

    text_size(a, sizeof a, size);
    text_size(b, sizeof b, packed_size);
    if (packed_size == 0 || size == 0)
        text_format(buf, len, "%s stored in %s", a, b);
    else
        text_format(buf, len, "%s -> %s (ratio %.2f:1, %.0f%% saved)", a, b,
                    (double)size / (double)packed_size,
                    100.0 - 100.0 * (double)packed_size / (double)size);
}

zmm_result archive_locate_damage(const char *path, const char *member,
                                 uint64_t *first_byte, uint64_t *end_byte)
{
    zmm_archive *ar = NULL;
    zmm_member_info mi;
    uint32_t bad = 0;
    size_t index;
    zmm_result rc = zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL);

    *first_byte = *end_byte = 0;
    if (rc != ZMM_OK)
        return rc;
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    rc = zmm_archive_find(ar, member, &index);
    if (rc == ZMM_OK)
        rc = zmm_archive_member_info(ar, index, &mi);
    if (rc == ZMM_OK)
        rc = zmm_archive_verify_member(ar, mi.name, &bad);
    if (rc == ZMM_ERR_CORRUPT) {
        *first_byte = (uint64_t)bad * mi.block_size;
        *end_byte = *first_byte + mi.block_size;
        if (*end_byte > mi.size)
            *end_byte = mi.size;
    }
    zmm_archive_close(ar);
    return rc;
}
