/*
 * names.c -- member name rules. Any 1..255-byte name without control
 * characters is storable; a stricter test tells whether a name is safe to
 * create as a file below a directory, which `zmm unpack` relies on.
 */
#include <string.h>

#include "zmm.h"

int zmm_name_is_valid(const char *name)
{
    size_t len;
    const unsigned char *p;

    if (name == NULL)
        return 0;
    len = strlen(name);
    if (len == 0 || len > ZMM_MAX_NAME_BYTES)
        return 0;
    for (p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static int ascii_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

/* Windows reserves these device names in every directory, with any
 * extension: "nul.txt" opens the NUL device. */
static int is_device_name(const char *part, size_t len)
{
    static const char *const devices[] = {"CON", "PRN", "AUX", "NUL",
                                          "COM", "LPT", "CONIN$", "CONOUT$"};
    size_t stem = 0, i, j;

    while (stem < len && part[stem] != '.')
        stem++;
    for (i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        size_t dlen = strlen(devices[i]);
        int numbered = (i == 4 || i == 5); /* COM1..9, LPT1..9 */
        size_t want = dlen + (numbered ? 1 : 0);

        if (stem != want)
            continue;
        for (j = 0; j < dlen; j++)
            if (ascii_upper((unsigned char)part[j]) != devices[i][j])
                break;
        if (j < dlen)
            continue;
        if (!numbered || (part[dlen] >= '0' && part[dlen] <= '9'))
            return 1;
    }
    return 0;
}

static int part_is_portable(const char *part, size_t len)
{
    size_t i;

    if (len == 0 || (len == 1 && part[0] == '.') ||
        (len == 2 && part[0] == '.' && part[1] == '.'))
        return 0;
    if (part[len - 1] == '.' || part[len - 1] == ' ')
        return 0; /* Windows strips them: "a." and "a" collide */
    for (i = 0; i < len; i++)
        if (strchr("\\:*?\"<>|", part[i]) != NULL)
            return 0;
    return !is_device_name(part, len);
}

int zmm_name_is_portable_path(const char *name)
{
    const char *part, *slash;

    if (!zmm_name_is_valid(name))
        return 0;
    for (part = name;; part = slash + 1) {
        slash = strchr(part, '/');
        if (!part_is_portable(part, slash ? (size_t)(slash - part)
                                          : strlen(part)))
            return 0;
        if (slash == NULL)
            return 1;
    }
}
