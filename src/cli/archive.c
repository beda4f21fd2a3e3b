/*
 * archive.c -- opening archives and finding members, with the messages a
 * user needs when that fails: which file, which member, and what is wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The newest commit failed its checks and the core opened the older state
 * (FORMAT.md, "Opening"): say so; refuse to change the archive, since a
 * commit would replace the damaged state for good. Closes `ar` then. */
static int newest_lost(zmm_archive *ar, const char *path, unsigned flags)
{
    zmm_archive_info info;

    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (zmm_archive_get_info(ar, &info) != ZMM_OK ||
        !(info.flags & ZMM_ARCHIVE_NEWEST_LOST))
        return 0;
    cli_warning("%s: the newest commit fails its checks (the file is cut "
                "short or overwritten, or its header slot is damaged): "
                "opened the older committed state, "
                "generation %llu; the newest commit's changes are lost",
                path, (unsigned long long)info.generation);
    if (!(flags & ZMM_OPEN_WRITE))
        return 0;
    cli_error("%s: not changed: a commit would replace the damaged newest "
              "state for good; unpack what reads first (zmm compact keeps "
              "the older state on purpose)", path);
    zmm_archive_close(ar);
    return 1;
}

zmm_archive *cli_open_archive(const char *path, unsigned flags)
{
    zmm_archive *ar = NULL;
    long os_error = 0;
    zmm_result rc = zmm_archive_open(path, flags, &ar, &os_error);

    switch (rc) {
    case ZMM_OK:
        return newest_lost(ar, path, flags) ? NULL : ar;
    case ZMM_ERR_NOT_FOUND: {
        char os[256];

        cli_error("%s: %s", path,
                  os_error ? cli_os_text(os_error, os, sizeof os)
                           : "no such file");
        break;
    }
    case ZMM_ERR_NOT_ARCHIVE:
        cli_error("%s: not a ZMM archive", path);
        break;
    case ZMM_ERR_CORRUPT:
        cli_error("%s: the archive is damaged: its header slots or its "
                  "directory fail their checks (truncated or overwritten?)",
                  path);
        break;
    case ZMM_ERR_UNSUPPORTED:
        cli_error("%s: made by a newer version of zmmio (format version "
                  "above %d or unknown features); upgrade zmm",
                  path, ZMM_FORMAT_VERSION);
        break;
    case ZMM_ERR_SHARING:
        cli_error("%s: in use by another writer; try again when it is done",
                  path);
        break;
    default:
        cli_archive_error(path, NULL, "cannot open", rc, os_error);
    }
    return NULL;
}

int cli_close_archive(zmm_archive *ar, const char *path)
{
    /* Commit first, to read the OS error behind a failure (a full disk)
     * while the archive is still there; close then rolls back after one. */
    zmm_result rc = zmm_archive_commit(ar), closed;
    long os_error = zmm_archive_os_error(ar);

    closed = zmm_archive_close(ar);
    if (rc == ZMM_OK)
        rc = closed;
    if (rc == ZMM_OK)
        return CLI_OK;
    cli_archive_error(path, NULL, "cannot commit the changes", rc, os_error);
    return CLI_FAIL;
}

int cli_find_member(zmm_archive *ar, const char *archive, const char *name,
                    zmm_member_info *info)
{
    size_t index;
    zmm_result rc = zmm_archive_find(ar, name, &index);

    if (rc == ZMM_ERR_NOT_FOUND) {
        if (name == NULL || name[0] == '\0')
            cli_error("%s: the archive has no default member; name one "
                      "(zmm list %s)", archive, archive);
        else
            cli_error("%s: no member '%s'", archive, name);
        return CLI_FAIL;
    }
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    if (rc == ZMM_OK)
        rc = zmm_archive_member_info(ar, index, info);
    if (rc != ZMM_OK) {
        cli_archive_error(archive, name, "cannot look it up", rc, 0);
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cli_archive_operands(const char *command, const char **ops, int n,
                         cli_target *t, const char ***members, int *count)
{
    int i;

    *members = NULL;
    *count = 0;
    if (n == 0) {
        cli_usage_error(command, "no ARCHIVE given");
        return CLI_USAGE;
    }
    if (cli_target_split(ops[0], t) != CLI_OK)
        return CLI_FAIL;
    *members = malloc(((size_t)n + 1) * sizeof **members);
    if (*members == NULL) {
        cli_error("out of memory");
        cli_target_free(t);
        return CLI_FAIL;
    }
    if (t->member != NULL)
        (*members)[(*count)++] = t->member;
    for (i = 1; i < n; i++)
        (*members)[(*count)++] = ops[i];
    return CLI_OK;
}
