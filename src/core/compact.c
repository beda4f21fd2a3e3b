/*
 * compact.c -- rewriting an archive without garbage.
 *
 * Live blocks are copied as they are stored (checked against their CRCs, so
 * damage is reported rather than carried over) into a new file beside the
 * archive, which is committed and then renamed over the original. Until the
 * rename the original is untouched; after it, the new file is complete. The
 * new file gets the archive's owner and mode first, or compact refuses.
 */
#include <string.h>

#include "alloc.h"
#include "archive_private.h"
#include "archive_file.h"
#include "crc32.h"
#include "struct_size.h"

/* Copies one block's stored bytes, checked, and points *ref at the copy. */
static zmm_result copy_block(zmm_archive *src, zmm_archive *dst,
                             zmm_block_ref *ref, unsigned char *buf)
{
    zmm_result rc;

    if (ref->kind == ZMM_KIND_ZERO)
        return ZMM_OK;
    rc = zmm_archive_read(src, ref->offset, buf, ref->stored_size);
    if (rc == ZMM_OK &&
        zmm_crc32(0, buf, ref->stored_size) != ref->stored_crc)
        rc = ZMM_ERR_CORRUPT;
    if (rc == ZMM_OK)
        rc = zmm_archive_append(dst, buf, ref->stored_size, &ref->offset);
    return rc;
}

static int cancelled(const zmm_compact_options *opt)
{
    return opt->cancel != NULL && opt->cancel(opt->context);
}

static zmm_result copy_member(zmm_archive *src, const zmm_member *from,
                              zmm_archive *dst, unsigned char *buf,
                              const zmm_compact_options *opt)
{
    zmm_member *to;
    uint32_t i;
    zmm_result rc = zmm_directory_add(&dst->dir, from->name,
                                      from->block_shift, from->level, &to);

    if (rc == ZMM_OK)
        rc = zmm_member_resize(&dst->dir, to, from->length);
    if (rc != ZMM_OK)
        return rc;
    to->flags = from->flags;
    to->pcm = from->pcm;
    to->meta = from->meta; /* the commit writes them in a new table */
    to->mtime = from->mtime;
    to->mtime_nsec = from->mtime_nsec;
    to->mode = from->mode;
    if (from->flags & ZMM_MEMBER_DICT) { /* the blocks need it as it is */
        to->dict_length = from->dict_length;
        to->dict = from->dict;
        rc = copy_block(src, dst, &to->dict, buf);
        if (rc != ZMM_OK)
            return rc;
    }
    for (i = 0; i < from->block_count; i++) {
        zmm_block_ref ref = from->blocks[i];

        if (cancelled(opt)) /* between blocks: prompt however large */
            return ZMM_ERR_CANCELLED;
        rc = copy_block(src, dst, &ref, buf);
        if (rc != ZMM_OK)
            return rc;
        to->blocks[i] = ref;
    }
    dst->modified = 1;
    return ZMM_OK;
}

static zmm_result copy_archive(zmm_archive *src, zmm_archive *dst,
                               const zmm_compact_options *opt)
{
    unsigned char *buf = zmm_malloc(ZMM_MAX_BLOCK_SIZE);
    uint32_t i;
    zmm_result rc = ZMM_OK;

    if (buf == NULL)
        return ZMM_ERR_NOMEM;
    for (i = 0; rc == ZMM_OK && i < src->dir.count; i++)
        rc = copy_member(src, src->dir.members[i], dst, buf, opt);
    zmm_free(buf);
    if (rc == ZMM_OK && cancelled(opt)) /* last look before the rename */
        rc = ZMM_ERR_CANCELLED;
    /* Continue the generation count, so `zmm info` shows it moving on. */
    if (rc == ZMM_OK && dst->slot.generation < src->slot.generation)
        dst->slot.generation = src->slot.generation;
    return rc;
}

zmm_result zmm_compact(const char *path, long *os_error)
{
    return zmm_compact_ex(path, NULL, os_error);
}

zmm_result zmm_compact_ex(const char *path,
                          const zmm_compact_options *options,
                          long *os_error)
{
    zmm_compact_options opt = {sizeof opt, NULL, NULL};
    zmm_archive *src, *dst = NULL;
    zmm_file *file;
    char *temp;
    size_t len;
    long ignored;
    zmm_result rc;

    if (os_error == NULL)
        os_error = &ignored;
    *os_error = 0;
    if (path == NULL ||
        (options != NULL &&
         zmm_struct_in(&opt, sizeof opt, options, ZMM_COMPACT_OPTIONS_V1) !=
             ZMM_OK))
        return ZMM_ERR_INVALID_ARG;
    /* Opening for writing holds off other writers while we copy. */
    rc = zmm_archive_open(path, ZMM_OPEN_WRITE, &src, os_error);
    if (rc != ZMM_OK)
        return rc;
    len = strlen(path);
    temp = zmm_malloc(len + sizeof ".compact-tmp");
    if (temp == NULL) {
        zmm_archive_close(src);
        return ZMM_ERR_NOMEM;
    }
    memcpy(temp, path, len);
    memcpy(temp + len, ".compact-tmp", sizeof ".compact-tmp");
    zmm_platform_remove(temp, &ignored); /* a leftover of a crashed run */
    rc = zmm_platform_open(temp,
                           ZMM_FILE_WRITE | ZMM_FILE_CREATE |
                               ZMM_FILE_EXCLUSIVE | ZMM_FILE_LOCK_WRITER,
                           &file, os_error);
    /* Before any copying: a compact that cannot keep the owner and mode
     * (mode 600 made 644, another user's archive made root's) refuses. */
    if (rc == ZMM_OK)
        rc = zmm_platform_copy_access(path, temp, os_error);
    if (rc == ZMM_OK)
        rc = zmm_archive_open_file_error(
            file, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE | ZMM_OPEN_UNPUBLISHED,
            &dst, os_error);
    if (rc == ZMM_OK)
        rc = copy_archive(src, dst, &opt);
    if (dst != NULL) {
        zmm_result closed;

        if (rc == ZMM_OK)
            rc = zmm_archive_commit(dst); /* appends and syncs */
        /* The cause for the message (a full disk, say), read while dst is
         * there. */
        if (rc != ZMM_OK)
            *os_error = dst->os_error != 0 ? dst->os_error : src->os_error;
        /* After a failure the new file is removed: nothing to commit. */
        closed = rc == ZMM_OK ? zmm_archive_close(dst)
                              : zmm_archive_abandon(dst);
        if (rc == ZMM_OK)
            rc = closed;
    }
    zmm_archive_close(src); /* unmodified: closing commits nothing */
    if (rc == ZMM_OK)
        rc = zmm_platform_replace(temp, path, os_error);
    if (rc != ZMM_OK)
        zmm_platform_remove(temp, &ignored);
    zmm_free(temp);
    return rc;
}
