/*
 * meta.c -- members' modification times and modes (docs/FORMAT.md,
 * "Metadata"): taken from the files pack and add read, shown by list -l and
 * --json, given back to the files unpack writes.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

void cli_meta_from_file(FILE *f, zmm_member_options *opt)
{
    sys_meta m;

    opt->meta = 0;
    if (sys_file_meta(f, &m) != 0)
        return; /* stored without: nothing worse than stdin */
    if (m.has_mtime) {
        opt->meta |= ZMM_META_MTIME;
        opt->mtime = m.mtime;
        opt->mtime_nsec = m.mtime_nsec;
    }
    if (m.has_mode) {
        opt->meta |= ZMM_META_MODE;
        opt->mode = m.mode;
    }
}

void cli_meta_to_output(const zmm_member_info *mi, int same_permissions,
                        sys_meta *m, cli_output *out)
{
    memset(m, 0, sizeof *m);
    m->has_mtime = (mi->meta & ZMM_META_MTIME) != 0;
    m->mtime = mi->mtime;
    m->mtime_nsec = mi->mtime_nsec;
    m->has_mode = (mi->meta & ZMM_META_MODE) != 0;
    /* As tar for a user who is not root: the permission bits, less the
     * umask unless -p. Never set-user-ID, set-group-ID or sticky: the file
     * is the unpacking user's now, not the archive owner's. */
    m->mode = mi->mode & 0777u;
    if (!same_permissions)
        m->mode &= ~sys_umask();
    out->has_meta = m->has_mtime || m->has_mode;
    out->meta = m;
}

const char *cli_mode_text(const zmm_member_info *mi, char *buf, size_t n)
{
    static const char rwx[] = "rwxrwxrwx";
    unsigned mode = mi->mode;
    char t[11];
    int i;

    if (!(mi->meta & ZMM_META_MODE)) {
        snprintf(buf, n, "-");
        return buf;
    }
    t[0] = '-';
    for (i = 0; i < 9; i++)
        t[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    /* As ls: s/S, t/T over the execute bits. */
    if (mode & 04000u)
        t[3] = (mode & 0100u) ? 's' : 'S';
    if (mode & 02000u)
        t[6] = (mode & 0010u) ? 's' : 'S';
    if (mode & 01000u)
        t[9] = (mode & 0001u) ? 't' : 'T';
    t[10] = '\0';
    snprintf(buf, n, "%s", t);
    return buf;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; Howard
 * Hinnant's days_from_civil inverse), for any 64-bit second count the
 * format allows, without the C library's time_t or time zones. */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

const char *cli_time_text(const zmm_member_info *mi, char *buf, size_t n)
{
    int64_t sec = mi->mtime, days, year;
    int64_t rem;
    unsigned month, day;

    if (!(mi->meta & ZMM_META_MTIME)) {
        snprintf(buf, n, "-");
        return buf;
    }
    /* Far outside any file system's range: the seconds as they are. */
    if (sec < -(INT64_C(1) << 55) || sec > (INT64_C(1) << 55)) {
        snprintf(buf, n, "@%lld", (long long)sec);
        return buf;
    }
    days = sec / 86400;
    rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil(days, &year, &month, &day);
    snprintf(buf, n, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)year,
             month, day, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
             (unsigned)(rem % 60));
    return buf;
}
