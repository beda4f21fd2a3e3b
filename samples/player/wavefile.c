/*
 * wavefile.c -- RIFF WAVE parsing through mmio.
 *
 * The checks follow the WAV files found in the wild (design.md): `fmt `
 * may come after other chunks (JUNK, LIST, bext, fact...), chunks have odd
 * sizes with a pad byte (mmioAscend skips it), sox and ffmpeg write
 * WAVE_FORMAT_EXTENSIBLE for more than 2 channels or 16 bits, the RIFF and
 * `data` sizes of a truncated or streamed file overrun the file, and the
 * last frame may be short. Everything the player cannot play is reported
 * as such, never played as noise.
 */
#include "wavefile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mmreg.h>

#include "text.h"

#ifndef WAVE_FORMAT_IEEE_FLOAT
#define WAVE_FORMAT_IEEE_FLOAT 0x0003
#endif
#ifndef WAVE_FORMAT_EXTENSIBLE
#define WAVE_FORMAT_EXTENSIBLE 0xFFFE
#endif

/* A `fmt ` chunk larger than this is not a format: refuse it before
 * allocating (WAVEFORMATEXTENSIBLE is 40 bytes, codecs add a few). */
#define MAX_FMT_BYTES 4096u

/* The tail shared by the KSDATAFORMAT_SUBTYPE_* GUIDs that stand for a
 * format tag: {tag-0000-0010-8000-00aa00389b71}, as stored in the file. */
static const unsigned char subtype_tail[12] = {
    0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};

static const wavefile_mmio winmm_calls = {
    mmioOpenA, mmioClose, mmioRead, mmioSeek, mmioDescend, mmioAscend,
};
static const wavefile_mmio *mmio = &winmm_calls;

void wavefile_use_mmio(const wavefile_mmio *calls)
{
    mmio = calls ? calls : &winmm_calls;
}

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

void wavefile_tag_name(WORD tag, char *buf, size_t len)
{
    static const struct {
        WORD tag;
        const char *name;
    } names[] = {
        {0x0001, "PCM"},          {0x0002, "Microsoft ADPCM"},
        {0x0003, "IEEE float"},   {0x0006, "A-law"},
        {0x0007, "mu-law"},       {0x0011, "IMA ADPCM"},
        {0x0031, "GSM 6.10"},     {0x0050, "MPEG audio"},
        {0x0055, "MPEG Layer-3"}, {0x0092, "Dolby AC-3 S/PDIF"},
        {0x00FF, "AAC"},          {0x2000, "Dolby AC-3"},
        {0xFFFE, "WAVE_FORMAT_EXTENSIBLE"},
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].tag == tag) {
            text_format(buf, len, "%s", names[i].name);
            return;
        }
    }
    text_format(buf, len, "format tag 0x%04X", (unsigned)tag);
}

static void describe(wavefile *wf)
{
    const WAVEFORMATEX *f = wf->format;
    char name[64], channels[32], bits[32] = "";

    wavefile_tag_name(wf->tag, name, sizeof name);
    if (f->nChannels == 1)
        text_format(channels, sizeof channels, "mono");
    else if (f->nChannels == 2)
        text_format(channels, sizeof channels, "stereo");
    else
        text_format(channels, sizeof channels, "%u channels",
                    (unsigned)f->nChannels);
    if (wf->tag == WAVE_FORMAT_PCM || wf->tag == WAVE_FORMAT_IEEE_FLOAT)
        text_format(bits, sizeof bits, " %u-bit", (unsigned)f->wBitsPerSample);
    text_format(wf->description, sizeof wf->description, "%s%s, %s, %lu Hz%s",
                name, bits, channels, (unsigned long)f->nSamplesPerSec,
                f->wFormatTag == WAVE_FORMAT_EXTENSIBLE
                    ? ", WAVE_FORMAT_EXTENSIBLE" : "");
}

/*
 * Checks the format and sets tag, block_align, frames_per_block and rate.
 * `fmt`/`fmt_len` are the chunk's bytes.
 */
static wavefile_error check_format(wavefile *wf, const unsigned char *fmt,
                                   DWORD fmt_len, char *err, size_t err_len)
{
    const WAVEFORMATEX *f = wf->format;
    char name[64];
    unsigned bits = f->wBitsPerSample;

    wf->tag = f->wFormatTag;
    if (f->wFormatTag == WAVE_FORMAT_EXTENSIBLE) {
        if (fmt_len < 40 || f->cbSize < 22) {
            text_format(err, err_len,
                        "unsupported format: WAVE_FORMAT_EXTENSIBLE with a "
                 "`fmt ` chunk too short for its subformat");
            return WAVEFILE_UNSUPPORTED;
        }
        if (memcmp(fmt + 28, subtype_tail, sizeof subtype_tail) != 0 ||
            fmt[26] != 0 || fmt[27] != 0) {
            text_format(err, err_len,
                        "unsupported format: WAVE_FORMAT_EXTENSIBLE with a "
                 "subformat GUID that is not a format tag");
            return WAVEFILE_UNSUPPORTED;
        }
        wf->tag = (WORD)get16(fmt + 24);
    }
    if (f->nChannels == 0 || f->nSamplesPerSec == 0 || f->nBlockAlign == 0) {
        text_format(err, err_len,
                    "unsupported format: zero channels, sample rate or block "
                    "size");
        return WAVEFILE_UNSUPPORTED;
    }
    wf->rate = f->nSamplesPerSec;
    wf->block_align = f->nBlockAlign;
    wf->frames_per_block = 1;

    if (wf->tag == WAVE_FORMAT_PCM || wf->tag == WAVE_FORMAT_IEEE_FLOAT) {
        int ok = wf->tag == WAVE_FORMAT_PCM
                     ? (bits == 8 || bits == 16 || bits == 24 || bits == 32)
                     : (bits == 32 || bits == 64);
        char what[128];

        if (!ok) {
            wavefile_tag_name(wf->tag, name, sizeof name);
            text_format(what, sizeof what,
                        "unsupported format: %s with %u bits per sample "
                        "(the player plays PCM of 8, 16, 24 or 32 bits and "
                        "float of 32 or 64)",
                        name, bits);
            text_format(err, err_len, "%s", what);
            return WAVEFILE_UNSUPPORTED;
        }
        if (f->nBlockAlign != f->nChannels * (bits / 8)) {
            text_format(what, sizeof what,
                        "unsupported format: block size %u for %u channels "
                        "of %u bits",
                        (unsigned)f->nBlockAlign, (unsigned)f->nChannels, bits);
            text_format(err, err_len, "%s", what);
            return WAVEFILE_UNSUPPORTED;
        }
        return WAVEFILE_OK;
    }

    /* A compressed format: waveOut plays it through the ACM, if a codec is
     * installed (the player asks waveOutOpen). Frames per block: ADPCM
     * formats say so; otherwise the byte rate tells. */
    if (f->nAvgBytesPerSec == 0) {
        text_format(err, err_len,
                    "unsupported format: a compressed format with no byte "
                    "rate");
        return WAVEFILE_UNSUPPORTED;
    }
    if ((wf->tag == 0x0002 || wf->tag == 0x0011) && f->cbSize >= 2 &&
        fmt_len >= 20 && get16(fmt + 18) > 0) {
        wf->frames_per_block = get16(fmt + 18);
    } else {
        double fpb = (double)f->nSamplesPerSec * f->nBlockAlign /
                     (double)f->nAvgBytesPerSec;

        wf->frames_per_block = fpb >= 1.0 ? (DWORD)(fpb + 0.5) : 1;
    }
    return WAVEFILE_OK;
}

/* Reads the `fmt ` chunk `ck` (the position at its data) into wf->format. */
static wavefile_error read_format(wavefile *wf, const MMCKINFO *ck, char *err,
                                  size_t err_len)
{
    unsigned char *fmt;
    DWORD len = ck->cksize;
    DWORD alloc;
    LONG n;
    wavefile_error e;

    if (len < 16) {
        text_format(err, err_len,
                    "not a RIFF WAVE file: its `fmt ` chunk is shorter than "
                    "16 bytes");
        return WAVEFILE_NOT_WAVE;
    }
    if (len > MAX_FMT_BYTES) {
        text_format(err, err_len,
                    "unsupported format: a `fmt ` chunk of more than 4096 "
                    "bytes");
        return WAVEFILE_UNSUPPORTED;
    }
    alloc = len < sizeof(WAVEFORMATEX) ? (DWORD)sizeof(WAVEFORMATEX) : len;
    fmt = calloc(1, alloc);
    if (!fmt)
        return WAVEFILE_NO_MEMORY;
    n = mmio->read(wf->h, (HPSTR)fmt, (LONG)len);
    if (n != (LONG)len) {
        free(fmt);
        if (n < 0) {
            text_format(err, err_len, "mmioRead failed in the `fmt ` chunk");
            return WAVEFILE_READ_FAILED;
        }
        text_format(err, err_len,
                    "not a RIFF WAVE file: it ends inside its `fmt ` chunk");
        return WAVEFILE_NOT_WAVE;
    }
    free(wf->format);
    wf->format = (WAVEFORMATEX *)fmt;
    /* cbSize counts the bytes after the 18-byte WAVEFORMATEX: trust it only
     * as far as the chunk goes (a 16-byte PCMWAVEFORMAT has none). */
    if (len < 18)
        wf->format->cbSize = 0;
    else if (wf->format->cbSize > len - 18)
        wf->format->cbSize = (WORD)(len - 18);
    e = check_format(wf, fmt, len, err, err_len);
    if (e == WAVEFILE_OK)
        describe(wf);
    return e;
}

/* The first bytes of a file that is not RIFF WAVE, for the message. */
static void not_wave_message(const unsigned char *head, LONG n, char *err,
                             size_t err_len)
{
    char shown[16];
    LONG i;

    for (i = 0; i < n && i < 4; i++)
        shown[i] = head[i] >= 0x20 && head[i] < 0x7f ? (char)head[i] : '.';
    shown[i] = '\0';
    if (n >= 12 && memcmp(head, "RIFF", 4) == 0) {
        char type[8];

        for (i = 0; i < 4; i++)
            type[i] = head[8 + i] >= 0x20 && head[8 + i] < 0x7f
                          ? (char)head[8 + i] : '.';
        type[4] = '\0';
        text_format(err, err_len,
                    "not a RIFF WAVE file: a RIFF file of form '%s'", type);
    } else if (n < 12) {
        text_format(err, err_len,
                    "not a RIFF WAVE file: only %ld bytes long", (long)n);
    } else {
        text_format(err, err_len,
                    "not a RIFF WAVE file: it starts with \"%s\", not \"RIFF\"",
                    shown);
    }
}

static wavefile_error open_error(UINT code, char *err, size_t err_len)
{
    switch (code) {
    case MMIOERR_FILENOTFOUND:
        text_format(err, err_len, "mmioOpen: MMIOERR_FILENOTFOUND");
        return WAVEFILE_NOT_FOUND;
    case MMIOERR_INVALIDFILE:
        text_format(err, err_len, "mmioOpen: MMIOERR_INVALIDFILE");
        return WAVEFILE_INVALID;
    case MMIOERR_ACCESSDENIED:
        text_format(err, err_len,
                    "access denied (mmioOpen: MMIOERR_ACCESSDENIED)");
        return WAVEFILE_CANNOT_OPEN;
    case MMIOERR_SHARINGVIOLATION:
        text_format(err, err_len,
                    "in use by another program (mmioOpen: "
                    "MMIOERR_SHARINGVIOLATION)");
        return WAVEFILE_CANNOT_OPEN;
    case MMIOERR_OUTOFMEMORY:
        text_format(err, err_len, "out of memory (mmioOpen)");
        return WAVEFILE_NO_MEMORY;
    default:
        text_format(err, err_len, "cannot open it (mmioOpen: error %u)", code);
        return WAVEFILE_CANNOT_OPEN;
    }
}

wavefile_error wavefile_open(wavefile *wf, const char *name, char *err,
                             size_t err_len)
{
    MMIOINFO info;
    MMCKINFO riff, ck;
    unsigned char head[12];
    LONG n, file_size;
    int have_fmt = 0, have_data = 0;
    DWORD data_size = 0, fact_frames = 0;
    int have_fact = 0;
    wavefile_error e;
    char *ansi;

    memset(wf, 0, sizeof *wf);
    err[0] = '\0';
    ansi = text_ansi_from_utf8(name);
    if (!ansi) {
        text_format(err, err_len,
                    "the name has characters that the ANSI code page, which "
                    "mmio uses, cannot represent");
        return WAVEFILE_CANNOT_OPEN;
    }
    memset(&info, 0, sizeof info);
    /* Unbuffered: each mmioRead is one MMIOM_READ to the procedure, and the
     * player's reads are large. mmioOpenA may write to the name: a copy. */
    wf->h = mmio->open(ansi, &info, MMIO_READ);
    free(ansi);
    if (!wf->h)
        return open_error(info.wErrorRet, err, err_len);

    file_size = mmio->seek(wf->h, 0, SEEK_END);
    n = file_size >= 0 && mmio->seek(wf->h, 0, SEEK_SET) == 0
            ? mmio->read(wf->h, (HPSTR)head, sizeof head) : -1;
    if (n < 0) {
        text_format(err, err_len, "mmioRead failed on the first bytes");
        e = WAVEFILE_READ_FAILED;
        goto fail;
    }
    if (n < 12 || memcmp(head, "RIFF", 4) != 0 ||
        memcmp(head + 8, "WAVE", 4) != 0) {
        not_wave_message(head, n, err, err_len);
        e = WAVEFILE_NOT_WAVE;
        goto fail;
    }
    mmio->seek(wf->h, 0, SEEK_SET);
    memset(&riff, 0, sizeof riff);
    if (mmio->descend(wf->h, &riff, NULL, 0) != MMSYSERR_NOERROR) {
        text_format(err, err_len, "not a RIFF WAVE file: mmioDescend failed");
        e = WAVEFILE_NOT_WAVE;
        goto fail;
    }
    /* Bound the chunk walk by the file, whatever the RIFF size says (it is
     * 0 or too large in streamed and truncated files). */
    riff.cksize = (DWORD)(file_size - (LONG)riff.dwDataOffset);

    /* Walk the chunks: keep `fmt `, `data` and `fact`, skip the rest. */
    while (!(have_fmt && have_data)) {
        memset(&ck, 0, sizeof ck);
        if (mmio->descend(wf->h, &ck, &riff, 0) != MMSYSERR_NOERROR)
            break;
        if (ck.ckid == mmioFOURCC('f', 'm', 't', ' ') && !have_fmt) {
            e = read_format(wf, &ck, err, err_len);
            if (e != WAVEFILE_OK)
                goto fail;
            have_fmt = 1;
        } else if (ck.ckid == mmioFOURCC('d', 'a', 't', 'a') && !have_data) {
            wf->data_offset = (LONG)ck.dwDataOffset;
            data_size = ck.cksize;
            have_data = 1;
        } else if (ck.ckid == mmioFOURCC('f', 'a', 'c', 't') &&
                   ck.cksize >= 4) {
            unsigned char v[4];

            if (mmio->read(wf->h, (HPSTR)v, 4) == 4) {
                fact_frames = (DWORD)v[0] | (DWORD)v[1] << 8 |
                              (DWORD)v[2] << 16 | (DWORD)v[3] << 24;
                have_fact = 1;
            }
        }
        if (have_fmt && have_data)
            break;
        /* A `data` chunk whose size overruns the file ends the walk. */
        if (ck.dwDataOffset + (DWORD)ck.cksize > (DWORD)file_size ||
            ck.dwDataOffset + (DWORD)ck.cksize < ck.dwDataOffset)
            break;
        if (mmio->ascend(wf->h, &ck, 0) != MMSYSERR_NOERROR)
            break;
    }
    if (!have_fmt || !have_data) {
        text_format(err, err_len, "not a RIFF WAVE file: no `%s` chunk",
                    have_fmt ? "data" : "fmt ");
        e = WAVEFILE_NOT_WAVE;
        goto fail;
    }

    /* The samples actually present, in whole blocks. */
    if ((LONG)wf->data_offset > file_size)
        data_size = 0;
    else if (data_size > (DWORD)(file_size - wf->data_offset))
        data_size = (DWORD)(file_size - wf->data_offset);
    wf->blocks = data_size / wf->block_align;
    wf->data_bytes = wf->blocks * wf->block_align;
    wf->frames = wf->blocks * wf->frames_per_block;
    if (have_fact && wf->frames_per_block > 1 && fact_frames < wf->frames)
        wf->frames = fact_frames;
    if (wavefile_seek(wf, 0) != 0) {
        text_format(err, err_len, "mmioSeek to the samples failed");
        e = WAVEFILE_READ_FAILED;
        goto fail;
    }
    return WAVEFILE_OK;

fail:
    wavefile_close(wf);
    return e;
}

long wavefile_read(wavefile *wf, void *buf, DWORD blocks)
{
    LONG want = (LONG)(blocks * wf->block_align);
    LONG done = 0;

    while (done < want) {
        LONG n = mmio->read(wf->h, (HPSTR)buf + done, want - done);

        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += n;
    }
    if (done % (LONG)wf->block_align != 0)
        return -1; /* the file ended inside a block it said it had */
    return done / (LONG)wf->block_align;
}

int wavefile_seek(wavefile *wf, DWORD block)
{
    LONG target;

    if (block > wf->blocks)
        return -1;
    target = wf->data_offset + (LONG)(block * wf->block_align);
    return mmio->seek(wf->h, target, SEEK_SET) == target ? 0 : -1;
}

void wavefile_close(wavefile *wf)
{
    if (wf->h)
        mmio->close(wf->h, 0);
    free(wf->format);
    memset(wf, 0, sizeof *wf);
}
