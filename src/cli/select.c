/*
 * select.c -- MEMBER operands resolved inside an archive: exact names and
 * wildcards.
 *
 * Patterns are matched by zmm against the archive's member names (quote
 * them, so that the shell does not match them against files), as unzip and
 * tar do: '*' matches any run of characters, '/' included; '?' one
 * character; "[...]" one character of a set ("[a-c]", "[!a]" or "[^a]" for
 * one not in it). Characters, not bytes: '?' matches "é" whole. An operand
 * that is exactly a member's name means that member, whatever characters
 * it has, so every member can be named.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

/* The code point of the character at s and its length; a byte that starts
 * no valid sequence (names written before the UTF-8 rule) is one. */
static unsigned long next_char(const char *s, size_t *len)
{
    uint32_t c;

    *len = zmm_utf8_char(s, &c);
    if (*len == 0) {
        *len = 1;
        c = (unsigned char)s[0];
    }
    return c;
}

/* Matches the set at p (just after '[') against c. Returns the pattern
 * after the ']' (NULL: no closing ']', so '[' is an ordinary character)
 * and whether c is in the set in *hit. */
static const char *match_set(const char *p, unsigned long c, int *hit)
{
    int negate = *p == '!' || *p == '^', first = 1;
    size_t n;

    *hit = 0;
    if (negate)
        p++;
    while (*p != '\0' && (*p != ']' || first)) {
        unsigned long lo = next_char(p, &n), hi = lo;

        p += n;
        first = 0;
        if (p[0] == '-' && p[1] != ']' && p[1] != '\0') {
            hi = next_char(p + 1, &n);
            p += 1 + n;
        }
        if (c >= lo && c <= hi)
            *hit = 1;
    }
    if (*p != ']')
        return NULL;
    *hit ^= negate;
    return p + 1;
}

int cli_wildcard_match(const char *pattern, const char *name)
{
    const char *star = NULL, *resume = NULL;
    size_t n, m;

    /* Iterative, with one backtracking point: the last '*' seen. */
    while (*name != '\0') {
        unsigned long c = next_char(name, &n);
        const char *after = NULL;
        int hit = 0;

        if (*pattern == '*') {
            star = ++pattern;
            resume = name;
            continue;
        }
        if (*pattern == '?') {
            hit = 1;
            after = pattern + 1;
        } else if (*pattern == '[' &&
                   (after = match_set(pattern + 1, c, &hit)) != NULL) {
            /* a set */
        } else if (*pattern != '\0') {
            unsigned long pc = next_char(pattern, &m);

            hit = pc == c && m == n;
            after = pattern + m;
        }
        if (hit) {
            pattern = after;
            name += n;
        } else if (star != NULL) {
            next_char(resume, &n);
            resume += n;
            name = resume;
            pattern = star;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

int cli_has_wildcards(const char *s)
{
    return s != NULL && strpbrk(s, "*?[") != NULL;
}

int cli_select_members(zmm_archive *ar, const char *archive,
                       const char *const *ops, int n, size_t **index,
                       size_t *count)
{
    size_t members = zmm_archive_member_count(ar), i, at;
    size_t cap = (size_t)n + members + 1;
    unsigned char *seen = calloc(members + 1, 1);
    int k, rc = CLI_OK;

    *count = 0;
    *index = malloc(cap * sizeof **index);
    if (*index == NULL || seen == NULL) {
        cli_error("out of memory");
        free(seen);
        free(*index);
        *index = NULL;
        return CLI_FAIL;
    }
    for (k = 0; k < n && rc == CLI_OK; k++) {
        size_t found = 0;
        const char *op = ops[k];
        char *spelled = NULL;

        /* "sfx\boom.wav" on Windows, unless a member has that name. */
        if (op != NULL && strchr(op, '\\') != NULL &&
            zmm_archive_find(ar, op, NULL) != ZMM_OK) {
            if ((spelled = cli_member_spelling(op)) == NULL) {
                rc = CLI_FAIL;
                break;
            }
            op = spelled;
        }
        if (zmm_archive_find(ar, op, &at) == ZMM_OK ||
            !cli_has_wildcards(op)) {
            zmm_member_info mi;

            rc = cli_find_member(ar, archive, op, &mi);
            if (rc == CLI_OK && zmm_archive_find(ar, mi.name, &at) == ZMM_OK &&
                !seen[at]) {
                seen[at] = 1;
                (*index)[(*count)++] = at;
            }
            free(spelled);
            continue;
        }
        for (i = 0; i < members; i++) {
            zmm_member_info mi;

            memset(&mi, 0, sizeof mi);
            mi.struct_size = sizeof mi;
            if (zmm_archive_member_info(ar, i, &mi) != ZMM_OK ||
                !cli_wildcard_match(op, mi.name))
                continue;
            found++;
            if (!seen[i]) {
                seen[i] = 1;
                (*index)[(*count)++] = i;
            }
        }
        if (found == 0) {
            char shown[CLI_NAME_TEXT];

            cli_error("%s: no member matches '%s'", archive,
                      cli_name_text(op, shown, sizeof shown));
            rc = CLI_FAIL;
        }
        free(spelled);
    }
    free(seen);
    if (rc != CLI_OK) {
        free(*index);
        *index = NULL;
        *count = 0;
    }
    return rc;
}
