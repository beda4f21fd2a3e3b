/*
 * report.c -- every message the tool prints goes through here: errors and
 * warnings on stderr (after clearing the progress bar), listings on stdout.
 * Text is UTF-8; sys_write_text shows it right on a Windows console too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

int cli_verbosity = 1;

/* Formats into a buffer and writes it; longer messages are cut (names are at
 * most 255 bytes and paths rarely long, so 4 KiB is plenty). */
static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap,
                 const char *suffix) CLI_PRINTF(3, 0);

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap,
                 const char *suffix)
{
    char text[4096];
    size_t n = strlen(prefix);

    if (f == stderr)
        cli_progress_clear();
    memcpy(text, prefix, n + 1);
    vsnprintf(text + n, sizeof text - n, fmt, ap);
    n = strlen(text);
    if (n + strlen(suffix) < sizeof text)
        memcpy(text + n, suffix, strlen(suffix) + 1);
    sys_write_text(f, text);
    if (f == stderr)
        fflush(stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit(stderr, "zmm: ", fmt, ap, "\n");
    va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;

    if (cli_verbosity < 1)
        return;
    va_start(ap, fmt);
    emit(stderr, "zmm: warning: ", fmt, ap, "\n");
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    va_list ap;

    if (cli_verbosity < 2)
        return;
    va_start(ap, fmt);
    emit(stderr, "", fmt, ap, "\n");
    va_end(ap);
}

void cli_out(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit(stdout, "", fmt, ap, "");
    va_end(ap);
}

void cli_usage_error(const char *command, const char *fmt, ...)
{
    char prefix[64];
    va_list ap;

    snprintf(prefix, sizeof prefix, "%s: ", command);
    va_start(ap, fmt);
    emit(stderr, prefix, fmt, ap, "\n");
    va_end(ap);
    if (strcmp(command, "zmm") == 0)
        cli_error("try 'zmm --help'");
    else
        cli_error("try '%s --help'", command);
}

const char *cli_os_text(long os_error, char *buf, size_t size)
{
    return sys_error_text(os_error, buf, size);
}

const char *cli_result_text(zmm_result rc, long os_error, char *buf,
                            size_t size)
{
    char os[256];

    /* The OS says it best for file errors: "No space left on device". */
    if (os_error != 0 && (rc == ZMM_ERR_IO || rc == ZMM_ERR_ACCESS ||
                          rc == ZMM_ERR_NOT_FOUND || rc == ZMM_ERR_NOMEM ||
                          rc == ZMM_ERR_EXISTS))
        snprintf(buf, size, "%s", cli_os_text(os_error, os, sizeof os));
    else if (os_error != 0 && rc == ZMM_ERR_SHARING)
        snprintf(buf, size, "%s (%s)", zmm_strerror(rc),
                 cli_os_text(os_error, os, sizeof os));
    else
        snprintf(buf, size, "%s", zmm_strerror(rc));
    return buf;
}

const char *cli_block_error_text(zmm_result rc, long os_error, char *buf,
                                 size_t size)
{
    if (rc == ZMM_ERR_CORRUPT) {
        snprintf(buf, size, "damaged: a CRC or bound check failed");
        return buf;
    }
    return cli_result_text(rc, os_error, buf, size);
}

void cli_archive_error(const char *archive, const char *member,
                       const char *doing, zmm_result rc, long os_error)
{
    char text[512], shown[CLI_NAME_TEXT];

    cli_result_text(rc, os_error, text, sizeof text);
    if (member != NULL)
        cli_error("%s: member '%s': %s: %s", archive,
                  cli_name_text(member, shown, sizeof shown), doing, text);
    else
        cli_error("%s: %s: %s", archive, doing, text);
}
