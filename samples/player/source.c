/*
 * source.c -- opening a name and explaining what went wrong.
 *
 * mmio is the path every byte takes (that is what the sample shows); the
 * core library only adds what mmio cannot say: the compression ratio, the
 * members an archive does have, and which block of a damaged one fails.
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

static char *copy(const char *s)
{
    char *c = malloc(strlen(s) + 1);

    if (c)
        strcpy(c, s);
    return c;
}

char *source_mmio_name(const char *name)
{
    size_t n = strlen(name);
    char *s;

    if (!strchr(name, '+') && archive_has_zmm_extension(name)) {
        s = malloc(n + 2);
        if (s) {
            memcpy(s, name, n);
            strcpy(s + n, "+");
        }
        return s;
    }
    return copy(name);
}

/* Nonzero if a file (not a directory) exists at the UTF-8 path. */
static int file_exists(const char *path)
{
    wchar_t *w = text_wide_from_utf8(path);
    DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;

    free(w);
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* "a.wav, b.wav, c.wav" (the first few) into buf. */
static void member_names(const archive_list *list, char *buf, size_t len)
{
    size_t i, n = 0;

    buf[0] = '\0';
    for (i = 0; i < list->count && n + 8 < len; i++) {
        if (i == 8) {
            text_format(buf + n, len - n, ", ... (%lu in all)",
                        (unsigned long)list->count);
            return;
        }
        text_format(buf + n, len - n, "%s%s", i ? ", " : "",
                    list->entries[i].name);
        n = strlen(buf);
    }
}

/* Explains a failure to open or read an archive member, with what the
 * core library finds in the archive. */
static source_error explain_archive(const source *s, wavefile_error we,
                                    const char *mmio_says, char *err,
                                    size_t err_len)
{
    archive_list list;
    MMRESULT rc = archive_read_list(s->archive, &list);
    const char *member = *s->member ? s->member : NULL;
    char names[512];
    uint64_t first, end;

    if (rc == MMIOERR_FILENOTFOUND || (rc != 0 && !file_exists(s->archive))) {
        text_format(err, err_len, "%s: archive not found: %s", s->name,
                    s->archive);
        return SOURCE_NOT_FOUND;
    }
    if (rc == MMIOERR_INVALIDFILE) {
        text_format(err, err_len, "%s: %s is not a ZMM archive (%s)", s->name,
                    s->archive, mmio_says);
        return SOURCE_DAMAGED;
    }
    if (rc == MMIOERR_CANNOTREAD) {
        text_format(err, err_len,
                    "damaged archive %s: its header or directory fails its "
                    "checks (%s)",
                    s->archive, mmio_says);
        return SOURCE_DAMAGED;
    }
    if (rc == MMSYSERR_NOTSUPPORTED) {
        text_format(err, err_len,
                    "%s: %s needs a newer zmmio (a newer format version or "
                    "feature; %s)",
                    s->name, s->archive, mmio_says);
        return SOURCE_OTHER;
    }
    if (rc != 0) {
        text_format(err, err_len, "%s: cannot read archive %s: %s (%s)",
                    s->name, s->archive, archive_error_text(rc), mmio_says);
        return SOURCE_OTHER;
    }
    if (!archive_find_entry(&list, s->member)) {
        member_names(&list, names, sizeof names);
        if (member)
            text_format(err, err_len,
                        "%s: archive %s has no member \"%s\" (%s; its "
                        "members: %s)",
                        s->name, s->archive, member, mmio_says,
                        list.count ? names : "none");
        else
            text_format(err, err_len,
                        "%s: archive %s has no default member (%s; its "
                        "members: %s)",
                        s->name, s->archive, mmio_says,
                        list.count ? names : "none");
        archive_free_list(&list);
        return SOURCE_NOT_FOUND;
    }
    archive_free_list(&list);
    rc = archive_locate_damage(s->archive, s->member, &first, &end);
    if (rc == MMIOERR_CANNOTREAD) {
        text_format(err, err_len,
                    "damaged archive %s, member %s: the block at bytes "
                    "%llu-%llu fails its check (%s)",
                    s->archive, *s->member ? s->member : "(default)",
                    (unsigned long long)first, (unsigned long long)end - 1,
                    mmio_says);
        return SOURCE_DAMAGED;
    }
    if (we == WAVEFILE_INVALID || we == WAVEFILE_READ_FAILED) {
        text_format(err, err_len, "damaged archive %s, member %s: %s",
                    s->archive, *s->member ? s->member : "(default)",
                    mmio_says);
        return SOURCE_DAMAGED;
    }
    text_format(err, err_len, "%s: %s", s->name, mmio_says);
    return we == WAVEFILE_NOT_FOUND ? SOURCE_NOT_FOUND : SOURCE_OTHER;
}

source_error source_open(source *s, const char *name, char *err,
                         size_t err_len)
{
    char why[512];
    wavefile_error we;
    char *archive = NULL, *member = NULL;
    const archive_entry *e;

    memset(s, 0, sizeof *s);
    s->name = source_mmio_name(name);
    if (!s->name) {
        text_format(err, err_len, "out of memory");
        return SOURCE_OTHER;
    }
    if (archive_split_name(s->name, &archive, &member)) {
        s->archive = archive;
        s->member = member;
    }

    we = wavefile_open(&s->wav, s->name, why, sizeof why);
    if (we != WAVEFILE_OK) {
        source_error se;

        if (s->archive && we != WAVEFILE_NOT_WAVE &&
            we != WAVEFILE_UNSUPPORTED && we != WAVEFILE_NO_MEMORY) {
            se = explain_archive(s, we, why, err, err_len);
        } else {
            if (we == WAVEFILE_NOT_FOUND)
                text_format(err, err_len, "%s: file not found (%s)", s->name,
                            why);
            else
                text_format(err, err_len, "%s: %s", s->name, why);
            switch (we) {
            case WAVEFILE_NOT_FOUND:
                se = SOURCE_NOT_FOUND;
                break;
            case WAVEFILE_NOT_WAVE:
                se = SOURCE_NOT_WAVE;
                break;
            case WAVEFILE_UNSUPPORTED:
                se = SOURCE_UNSUPPORTED;
                break;
            case WAVEFILE_READ_FAILED:
                se = SOURCE_DAMAGED;
                break;
            default:
                se = SOURCE_OTHER;
                break;
            }
        }
        source_close(s);
        return se;
    }

    /* The sizes, for the ratio: from zmmio.dll. */
    if (s->archive && archive_read_list(s->archive, &s->list) == 0 &&
        (e = archive_find_entry(&s->list, s->member)) != NULL) {
        s->has_sizes = 1;
        s->size = e->size;
        s->packed_size = e->packed_size;
        if (!*s->member) {
            free(s->member);
            s->member = copy(e->name);
            if (!s->member)
                s->member = copy("");
        }
    }
    return SOURCE_OK;
}

void source_compression(const source *s, char *buf, size_t len)
{
    if (!s->archive)
        text_format(buf, len, "not compressed (a plain file)");
    else if (!s->has_sizes)
        text_format(buf, len,
                    "unknown (the archive's directory is unreadable)");
    else
        archive_describe_ratio(buf, len, s->size, s->packed_size);
}

void source_read_failure(const source *s, const char *what, char *buf,
                         size_t len)
{
    uint64_t first, end;

    if (!s->archive) {
        text_format(buf, len, "read error in %s: %s", s->name, what);
        return;
    }
    if (archive_locate_damage(s->archive, s->member ? s->member : "", &first,
                              &end) == MMIOERR_CANNOTREAD)
        text_format(buf, len,
                    "damaged archive %s, member %s: %s; the block at bytes "
                    "%llu-%llu of the member fails its check",
                    s->archive, s->member, what, (unsigned long long)first,
                    (unsigned long long)end - 1);
    else
        text_format(buf, len, "damaged archive %s, member %s: %s", s->archive,
                    s->member, what);
}

void source_close(source *s)
{
    wavefile_close(&s->wav);
    archive_free_list(&s->list);
    free(s->name);
    free(s->archive);
    free(s->member);
    memset(s, 0, sizeof *s);
}
