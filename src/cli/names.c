/*
 * names.c -- archive, member and file names: the mmio spelling
 * ARCHIVE+MEMBER, member names made from file names, paths below an unpack
 * directory (which zmm_name_is_portable_path has already vetted), and block
 * sizes as the user writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

int cli_is_hidden_control(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f;
}

const char *cli_name_text(const char *name, char *buf, size_t size)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t used = 0, n;
    uint32_t c;

    buf[0] = '\0';
    while (*p != '\0' && used + 8 < size) {
        n = zmm_utf8_char((const char *)p, &c);
        if (n == 0 || c < 0x20 || c == 0x7f) { /* a byte: \xNN */
            used += (size_t)snprintf(buf + used, size - used, "\\x%02X", *p);
            p++;
        } else if (cli_is_hidden_control(c)) {
            used += (size_t)snprintf(buf + used, size - used, "\\u%04lX",
                                     (unsigned long)c);
            p += n;
        } else {
            memcpy(buf + used, p, n);
            used += n;
            buf[used] = '\0';
            p += n;
        }
    }
    return buf;
}

char *cli_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);

    if (copy == NULL)
        cli_error("out of memory");
    else
        memcpy(copy, s, n);
    return copy;
}

/* A new string of the first n bytes of s. */
static char *strndup_report(const char *s, size_t n)
{
    char *copy = malloc(n + 1);

    if (copy == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

int cli_is_zmm_name(const char *s, size_t len)
{
    const char *e = s + len - 4;

    return len >= 4 && e[0] == '.' && (e[1] == 'z' || e[1] == 'Z') &&
           (e[2] == 'm' || e[2] == 'M') && (e[3] == 'm' || e[3] == 'M');
}

/* Where cli_target_split cuts `operand` (cli.h); NULL: nowhere. */
static const char *split_point(const char *operand)
{
    const char *plus = strrchr(operand, '+'), *p;
    int found = 0;

    if (plus == NULL || sys_stat(operand, NULL) != SYS_MISSING)
        return NULL;
    for (p = plus; p > operand && !found; p--) {
        if (*p == '+') {
            char *left = strndup_report(operand, (size_t)(p - operand));

            found = left != NULL && sys_stat(left, NULL) == SYS_FILE;
            free(left);
            if (found)
                return p;
        }
    }
    if (cli_is_zmm_name(operand, strlen(operand)))
        return NULL; /* "c++.zmm", to be made */
    for (p = operand; (p = strchr(p, '+')) != NULL; p++)
        if (cli_is_zmm_name(operand, (size_t)(p - operand)))
            return p;
    return plus;
}

int cli_target_split(const char *operand, cli_target *t)
{
    const char *plus = split_point(operand);

    t->archive = NULL;
    t->member = NULL;
    if (plus == NULL || plus == operand) {
        t->archive = cli_strdup(operand);
        return t->archive ? CLI_OK : CLI_FAIL;
    }
    t->archive = strndup_report(operand, (size_t)(plus - operand));
    t->member = cli_strdup(plus + 1);
    if (t->archive == NULL || t->member == NULL) {
        cli_target_free(t);
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cli_all_archives(const char *const *ops, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (!cli_is_zmm_name(ops[i], strlen(ops[i])) ||
            sys_stat(ops[i], NULL) != SYS_FILE)
            return 0;
    return n > 0;
}

void cli_target_free(cli_target *t)
{
    free(t->archive);
    free(t->member);
    t->archive = t->member = NULL;
}

const char *cli_base_name(const char *path)
{
    const char *base = path, *p;
    size_t n = strlen(path);

    /* "dir/" names "dir": ignore trailing separators (but keep "/"). */
    while (n > 1 && sys_is_separator(path[n - 1]))
        n--;
    for (p = path; p + 1 < path + n; p++)
        if (sys_is_separator(*p))
            base = p + 1;
    return base;
}

char *cli_member_path(const char *path, int *stripped)
{
    const char *p = path + sys_root_length(path), *part, *start = p;
    size_t len, used = 0;
    char *name = malloc(strlen(path) + 1);

    if (name == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    *stripped = p != path;
    /* Everything up to the last ".." goes: what remains stays below. */
    for (part = p; *part != '\0'; part += len) {
        while (sys_is_separator(*part))
            part++;
        for (len = 0; part[len] != '\0' && !sys_is_separator(part[len]);)
            len++;
        if (len == 2 && part[0] == '.' && part[1] == '.') {
            start = part + 2;
            *stripped = 1;
        }
    }
    for (part = start; *part != '\0'; part += len) {
        while (sys_is_separator(*part))
            part++;
        for (len = 0; part[len] != '\0' && !sys_is_separator(part[len]);)
            len++;
        if (len == 0 || (len == 1 && part[0] == '.'))
            continue;
        if (used > 0)
            name[used++] = '/';
        memcpy(name + used, part, len);
        used += len;
    }
    name[used] = '\0';
    return name;
}

char *cli_member_spelling(const char *operand)
{
    char *name = cli_strdup(operand), *p;

    if (name != NULL && sys_is_separator('\\'))
        for (p = name; *p != '\0'; p++)
            if (*p == '\\')
                *p = '/';
    return name;
}

char *cli_stdin_member_name(const char *archive)
{
    const char *base = cli_base_name(archive);
    size_t n = strlen(base);

    while (n > 0 && sys_is_separator(base[n - 1]))
        n--;
    if (n > 4 && cli_is_zmm_name(base, n))
        n -= 4;
    return strndup_report(base, n);
}

char *cli_path_join(const char *dir, const char *name)
{
    size_t d, n = strlen(name);
    char *path;

    if (dir == NULL || strcmp(dir, ".") == 0)
        return cli_strdup(name);
    d = strlen(dir);
    path = malloc(d + n + 2);
    if (path == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    memcpy(path, dir, d);
    if (d > 0 && !sys_is_separator(dir[d - 1]))
        path[d++] = '/';
    memcpy(path + d, name, n + 1);
    return path;
}

int cli_make_dirs(const char *path)
{
    size_t i, n = strlen(path), root = sys_root_length(path);
    int rc = CLI_OK;
    char os[256];

    /* Each prefix that ends a part, then the whole path. */
    for (i = root + 1; i <= n && rc == CLI_OK; i++) {
        char *part;

        if (i < n && !(sys_is_separator(path[i]) &&
                       !sys_is_separator(path[i - 1])))
            continue;
        if ((part = strndup_report(path, i)) == NULL)
            return CLI_FAIL;
        if (sys_stat(part, NULL) == SYS_MISSING && sys_mkdir(part) != 0 &&
            sys_stat(part, NULL) != SYS_DIR) { /* a race is fine */
            cli_error("%s: cannot create the directory: %s", part,
                      cli_os_text(sys_last_error(), os, sizeof os));
            rc = CLI_FAIL;
        }
        free(part);
    }
    if (rc == CLI_OK && sys_stat(path, NULL) != SYS_DIR) {
        cli_error("%s: not a directory", path);
        rc = CLI_FAIL;
    }
    return rc;
}

int cli_make_parents(const char *dir, const char *name)
{
    const char *slash;
    int rc = CLI_OK;

    for (slash = strchr(name, '/'); slash != NULL && rc == CLI_OK;
         slash = strchr(slash + 1, '/')) {
        char *part = strndup_report(name, (size_t)(slash - name));
        char *path = part ? cli_path_join(dir, part) : NULL;
        char os[256];

        if (path == NULL) {
            rc = CLI_FAIL;
        } else if (sys_is_link(path)) {
            /* A link planted in the target directory could point anywhere:
             * unpack writes below the directory only. */
            cli_error("%s: is a symbolic link; not following it", path);
            rc = CLI_FAIL;
        } else {
            switch (sys_stat(path, NULL)) {
            case SYS_DIR:
                break;
            case SYS_MISSING:
                if (sys_mkdir(path) != 0 &&
                    sys_stat(path, NULL) != SYS_DIR) { /* a race is fine */
                    cli_error("%s: cannot create the directory: %s", path,
                              cli_os_text(sys_last_error(), os, sizeof os));
                    rc = CLI_FAIL;
                }
                break;
            default:
                cli_error("%s: exists and is not a directory", path);
                rc = CLI_FAIL;
            }
        }
        free(path);
        free(part);
    }
    return rc;
}
