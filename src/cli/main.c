/*
 * main.c -- the zmm command line: global options, the command table, help
 * and version, and the dispatch to cmd_*.c. Exit statuses: 0 success,
 * 1 damaged or unreadable data or an I/O failure, 2 a usage error.
 */
#include <string.h>

#include "cli.h"
#include "sys.h"

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis; /* after "zmm NAME " */
    const char *summary;
    const char *help;     /* options and details */
} cli_command;

static const cli_command commands[] = {
    {"pack", cmd_pack,
     "[-o ARCHIVE] [-l 0-9] [-b SIZE] [-T N] [--filter F] [--no-dict] "
     "[--no-lpc] [-j] [-k] [-f] FILE...",
     "make a new archive of files and folders",
     "Makes a new archive holding each FILE as a member named by its path,\n"
     "made relative as tar does (\"sfx/boom.wav\"; a leading '/', a drive\n"
     "and everything up to the last \"..\" are dropped, with a warning). A\n"
     "folder adds every file below it, recursively, in byte order of their\n"
     "names (\"sfx\" -> \"sfx/boom.wav\", \"sfx/sub/a.wav\"; \".\" stores\n"
     "them without a prefix); links to folders and special files inside it\n"
     "are skipped, with a warning. The first member becomes the default\n"
     "member, the one \"ARCHIVE+\" opens. Each member keeps its file's\n"
     "modification time and (not on Windows) permissions, which zmm list -l\n"
     "shows and zmm unpack restores. The archive is written under a\n"
     "temporary name and renamed into place when complete.\n"
     "\n"
     "  -o, --output ARCHIVE    the archive to write; default FILE.zmm when\n"
     "                          there is one FILE (a folder: FOLDER.zmm\n"
     "                          beside it)\n"
     "  -l, --level 0-9         deflate level (default 6; 0 stores)\n"
     "  -1 .. -9                the same as -l 1 .. -l 9, as gzip\n"
     "  -b, --block-size SIZE   bytes per block, a power of two from 4k\n"
     "                          to 1m (default 64k); larger packs smaller,\n"
     "                          smaller makes random reads cheaper\n"
     "  -T, --threads N         compress blocks on N threads, 1 to 64;\n"
     "                          0 (default): one per processor. The\n"
     "                          archive is the same for any N\n"
     "  --filter auto|pcm|none  audio-aware compression of PCM WAV files:\n"
     "                          auto (default) when the file is one, pcm\n"
     "                          fails when it is not, none never\n"
     "  --no-dict               no preset dictionary; by default a file of\n"
     "                          256 KiB or more that is not filtered audio\n"
     "                          gets one trained on a sample of it when a\n"
     "                          trial shows it saves 1% or more (text: a\n"
     "                          few percent); not for standard input\n"
     "  --no-lpc                audio without linear predictors: PCM\n"
     "                          blocks of kinds 3 and 4 only, as zmmio\n"
     "                          0.4.0 wrote them (larger; to compare)\n"
     "  -j, --junk-paths        store base names only (a/b/c.wav becomes\n"
     "                          \"c.wav\"), as zip -j\n"
     "  -k, --keep              accepted for gzip's users: zmm never\n"
     "                          deletes its inputs (changes nothing)\n"
     "  -f, --force             replace an existing ARCHIVE\n"
     "\n"
     "FILE \"-\" packs standard input as a member named after the archive\n"
     "(\"-o x.zmm -\" makes member \"x\").\n"},
    {"add", cmd_add,
     "ARCHIVE FILE... [--as NAME] [-l 0-9] [-b SIZE] [-T N] [--filter F] "
     "[--no-dict] [--checkpoint] [-j] [-k]",
     "add or replace members of an archive",
     "Stores each FILE as a member named by its relative path, and each\n"
     "folder's files, as zmm pack does, replacing members of those names;\n"
     "a missing ARCHIVE is made (and deleted again if the add fails).\n"
     "All changes are committed together at the end:\n"
     "if anything fails (a full disk), or on Ctrl+C, the archive file is\n"
     "left byte for byte as it was (what was appended is cut off).\n"
     "A replaced member keeps its block size and level unless -b or -l say\n"
     "otherwise; it takes its FILE's modification time and permissions. Replaced data stays in the file as garbage until\n"
     "zmm compact.\n"
     "\n"
     "  --as NAME               the member name for the (single) FILE;\n"
     "                          \"ARCHIVE+NAME\" says the same\n"
     "  -l, --level 0-9         deflate level (default 6)\n"
     "  -1 .. -9                the same as -l 1 .. -l 9\n"
     "  -b, --block-size SIZE   bytes per block, 4k..1m (default 64k)\n"
     "  -T, --threads N         threads compressing, as zmm pack\n"
     "  --filter auto|pcm|none  audio-aware compression, as zmm pack\n"
     "  --no-dict               no preset dictionary (see zmm help pack)\n"
     "  --checkpoint            write each FILE straight into its member and\n"
     "                          commit every 4 MiB or 2 s: an add that is\n"
     "                          interrupted or killed keeps what was\n"
     "                          committed, not the old content\n"
     "  -j, --junk-paths        store base names only, as zmm pack -j\n"
     "  -k, --keep              accepted, as zmm pack -k (changes nothing)\n"
     "\n"
     "FILE \"-\" reads standard input, named with --as (required).\n"},
    {"list", cmd_list, "[-v] [-l] [--json] ARCHIVE [MEMBER...] | ARCHIVE...",
     "list members: size, packed size, ratio, blocks",
     "One line per member: its size, its packed (stored) size, the space\n"
     "saved as a percentage of its size (as gzip -l shows it), its number of\n"
     "blocks and its name; '*' marks the default member. MEMBERs may be\n"
     "wildcards (see below). Several archives: when every operand is an\n"
     "existing file ending in .zmm, each is listed under its name;\n"
     "otherwise the operands after the first are MEMBERs of the first\n"
     "(a member named like such a file: write ARCHIVE+MEMBER).\n"
     "\n"
     "  --json                  one JSON document: {\"archives\": [{\"archive\":\n"
     "                          ..., \"members\": [{\"name\", \"size\",\n"
     "                          \"packed\", \"blocks\", \"block_size\",\n"
     "                          \"level\", \"default\", \"pcm\", \"dict\"},\n"
     "                          and when the member has them \"mtime\"\n"
     "                          (seconds since 1970 UTC), \"mtime_nsec\",\n"
     "                          \"mode\" (\"0644\")]}]};\n"
     "                          a name that is not UTF-8 shows U+FFFD for\n"
     "                          its bad bytes and gets \"name_hex\": its\n"
     "                          bytes in hexadecimal\n"
     "  -v, --verbose           also the block size, the deflate level and\n"
     "                          the PCM filter (\"pcm 16-bit 2ch @44+N\":\n"
     "                          N bytes of samples at offset 44; \"filtered\n"
     "                          F/B, lpc L\": F of its B blocks filtered, L\n"
     "                          of them with linear predictors) and the\n"
     "                          preset dictionary (\"dict N\": of N bytes)\n"
     "  -l, --long              mode, size, modification time (UTC) and\n"
     "                          name, as tar -tv (\"-\": a member stored\n"
     "                          without them, such as standard input)\n"
     "\n"
     "Wildcards in MEMBER (quote them from the shell), matched inside the\n"
     "archive: '*' any characters, '/' included; '?' one character; [abc],\n"
     "[a-z], [!a] one of a set. A MEMBER that is exactly a member's name is\n"
     "that member; one that matches nothing is an error (exit 1). The same\n"
     "holds for cat, unpack, rm and verify.\n"},
    {"cat", cmd_cat, "[-o FILE] [-f] ARCHIVE [MEMBER...]",
     "write members to standard output",
     "Writes the members (without MEMBER: the default member; wildcards as\n"
     "in zmm list, each member once) to standard output, or to FILE. A damaged block stops the output before any of its\n"
     "bytes, with an error naming the member, the block and its offset.\n"
     "\n"
     "  -o, --output FILE       write to FILE (\"-\": standard output)\n"
     "  -f, --force             replace an existing FILE\n"},
    {"unpack", cmd_unpack,
     "[-C DIR] [-f] [-p] [--keep-going] ARCHIVE [MEMBER...]",
     "write members as files",
     "Writes each member (default: all; wildcards as in zmm list) as a\n"
     "file of its name below DIR, creating the folders of names with '/'\n"
     "(and DIR with its parents). Folders on the way that are symbolic\n"
     "links are not followed. Names that could escape DIR or mean\n"
     "something else on Windows -- \"..\", absolute paths, drive letters,\n"
     "device names such as CON or NUL -- are refused. Each file is written\n"
     "under a temporary name and renamed into place when complete. A\n"
     "damaged or refused member is reported and does not stop the others\n"
     "(no file is made for it); the exit status is then 1.\n"
     "Each file gets its member's modification time and permissions (pack\n"
     "and add store them), less the umask as tar does for a user who is\n"
     "not root; never set-user-ID, set-group-ID or sticky bits. Blocks of\n"
     "zeros become holes where the file system has them.\n"
     "\n"
     "  -C, --directory DIR     write below DIR (default: the current one)\n"
     "  -f, --force             replace existing files\n"
     "  -p, --same-permissions  the permissions as stored, without the\n"
     "                          umask\n"
     "  --keep-going            a MEMBER that names or matches nothing does\n"
     "                          not stop the others either (by default\n"
     "                          nothing is unpacked then); the members not\n"
     "                          unpacked are named at the end\n"
     "  -k, --keep              accepted, as gunzip -k: the archive is\n"
     "                          always kept (changes nothing)\n"},
    {"rm", cmd_rm, "ARCHIVE MEMBER...", "remove members",
     "Removes the members (wildcards as in zmm list), all or none: if one\n"
     "is missing or a wildcard matches nothing, nothing changes.\n"
     "Their data stays in the file as garbage until zmm compact.\n"},
    {"rename", cmd_rename, "ARCHIVE OLD NEW", "rename a member",
     "Renames member OLD to NEW, which must not exist yet.\n"},
    {"default", cmd_default, "ARCHIVE MEMBER",
     "make a member the default member",
     "Makes MEMBER the default member: the one \"ARCHIVE+\" opens and\n"
     "zmm cat shows without a member name.\n"},
    {"verify", cmd_verify, "ARCHIVE [MEMBER...] | ARCHIVE...",
     "read and check every block",
     "Reads every block of every member (or of the MEMBERs) and checks its\n"
     "CRCs. Reports each damaged block with its member, index and logical\n"
     "offset, and warns about member names zmm unpack would refuse.\n"
     "Exits 1 if anything is damaged. MEMBERs may be wildcards; several\n"
     "archives are verified one after the other, as zmm list takes them.\n"},
    {"compact", cmd_compact, "[-v] ARCHIVE",
     "drop the garbage left by replaced data",
     "Rewrites the archive without the blocks and directories that replaced\n"
     "or removed members left behind, into a new file that replaces the old\n"
     "one in one rename: the archive is never half-written. The new file\n"
     "keeps the archive's owner and mode, or compact refuses. Ctrl+C stops\n"
     "it between blocks, the archive unchanged.\n"
     "\n"
     "  -v, --verbose           print the sizes before and after\n"},
    {"info", cmd_info, "ARCHIVE...",
     "format version, generation, sizes, garbage",
     "Shows the archive's format version, its generation (the number of\n"
     "commits so far), its size, its live and garbage bytes, and each\n"
     "member's block size, deflate level, PCM filter and preset dictionary.\n"
     "Several archives: one after the other, a blank line between.\n"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(void)
{
    size_t i;

    cli_out("usage: zmm COMMAND [OPTIONS] ARGUMENTS...\n"
            "\n"
            "Makes, inspects, verifies and unpacks ZMM archives: compressed,\n"
            "seekable files that Windows programs read through zmmio.dll by\n"
            "names such as \"sounds.zmm+intro.wav\".\n"
            "\n"
            "Commands:\n");
    for (i = 0; i < COMMAND_COUNT; i++)
        cli_out("  %-8s %s\n", commands[i].name, commands[i].summary);
    cli_out("  %-8s %s\n", "help", "show a command's help: zmm help pack");
    cli_out("\n"
            "Every command takes -q (errors only), -v (more detail) and -h.\n"
            "\"ARCHIVE+MEMBER\" (the mmio spelling) names a member of an\n"
            "archive; \"-\" is standard input or output. It splits at the\n"
            "last '+' whose left part is an existing file, so that names of\n"
            "archives and members may both hold '+' (\"c++.zmm+a+b.txt\");\n"
            "when none is (zmm add making an archive), after the first\n"
            "\".zmm\"; or give the member as its own operand. On Windows,\n"
            "'\\' in a member name given is '/' (\"sfx\\boom.wav\"), as in\n"
            "zmmio.dll.\n"
            "Exit status: 0 success, 1 damaged or unreadable data or an I/O\n"
            "failure, 2 a usage error. zmm --version shows the version.\n");
}

int cli_help(const char *name)
{
    const cli_command *c = find_command(name);

    if (c == NULL)
        return CLI_USAGE;
    cli_out("usage: zmm %s %s\n\n%s\n%s", c->name, c->synopsis, c->summary,
            c->help[0] ? "\n" : "");
    cli_out("%s", c->help);
    cli_out("\n  -q, --quiet             print errors only\n");
    if (strstr(c->help, "--verbose") == NULL)
        cli_out("  -v, --verbose           say what is done\n");
    cli_out("  -h, --help              show this help\n");
    return CLI_OK;
}

int cli_common_option(int id, const char *command, int *exit_now)
{
    switch (id) {
    case OPT_HELP:
        *exit_now = cli_help(command + strlen("zmm "));
        return 1;
    case OPT_QUIET:
        cli_verbosity = 0;
        return 1;
    case OPT_VERBOSE:
        cli_verbosity = 2;
        return 1;
    default:
        return 0;
    }
}

static void version(void)
{
    cli_out("zmm %s (zmmio core library %s, archive format version %d)\n",
            ZMM_VERSION_STRING, zmm_version(), ZMM_FORMAT_VERSION);
}

/* `zmm file.wav` (as gzip and bzip2 are used): name the command meant. */
static void suggest(const char *word)
{
    size_t n = strlen(word);
    int archive = strstr(word, ".zmm+") != NULL ||
                  (n > 4 && cli_is_zmm_name(word, n));

    if (archive || sys_stat(word, NULL) == SYS_FILE ||
        sys_stat(word, NULL) == SYS_DIR)
        cli_error("'%s' is not a command; did you mean 'zmm %s %s'?", word,
                  archive ? "list" : "pack", word);
}

int zmm_main(int argc, char **argv)
{
    const cli_command *c;
    int i, rc;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return CLI_OK;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            version();
            return CLI_OK;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            cli_verbosity = 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            cli_verbosity = 2;
        } else {
            cli_usage_error("zmm", "unknown option '%s'", a);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        cli_error("no command given; usage: zmm COMMAND [OPTIONS] "
                  "ARGUMENTS...");
        cli_error("try 'zmm --help'");
        return CLI_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 >= argc) {
            usage();
            return CLI_OK;
        }
        if (cli_help(argv[i + 1]) != CLI_OK) {
            cli_usage_error("zmm help", "no command '%s'", argv[i + 1]);
            return CLI_USAGE;
        }
        return CLI_OK;
    }
    c = find_command(argv[i]);
    if (c == NULL) {
        suggest(argv[i]);
        cli_usage_error("zmm", "no command '%s'", argv[i]);
        return CLI_USAGE;
    }
    rc = c->run(argc - i, argv + i);
    if (sys_interrupted()) {
        cli_error("interrupted");
        sys_reraise_interrupt();
        return CLI_FAIL;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error");
        return CLI_FAIL;
    }
    return rc;
}
