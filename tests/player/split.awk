# split.awk -- is a capture the samples up to some frame P, then the samples
# from frame T to the end, then silence?
#
#   awk -v T=FRAME -v zero=HEX [-v drop_zeros=1] -f split.awk RAW.txt CAP.txt
#
# RAW.txt and CAP.txt hold one frame a line, in hex (od -An -v -tx<N> -w<N>,
# N the bytes per frame); zero is a silent frame as od prints it ("0000").
# T = the number of frames in RAW checks "the samples up to P, then silence"
# (a playback stopped at P). Prints "ok P ZEROS" (ZEROS: silent frames at
# the end) or "bad: WHY".
#
# With drop_zeros=1, silent frames are removed from both sides first, so
# only the non-silent samples are compared, in order: Wine's ALSA driver
# writes a period of silence whenever its device thread falls behind (under
# heavy load), which a strict comparison cannot tell from a player bug.
# Callers try the strict comparison first and report which one passed.
NR == FNR {
    if (!drop_zeros || $1 != zero) {
        if (NR - 1 < T)
            t++              # raw frames before T that are kept
        raw[nraw++] = $1
    }
    next
}
{
    if (!drop_zeros || $1 != zero)
        cap[ncap++] = $1
}
END {
    d = 0
    while (d < ncap && d < nraw && cap[d] == raw[d])
        d++
    tail = nraw - t
    for (p = d; p >= 0; p--) {
        if (p + tail > ncap)
            continue
        for (i = 0; i < tail && cap[p + i] == raw[t + i]; i++)
            ;
        if (i < tail)
            continue
        for (j = p + tail; j < ncap; j++)
            if (cap[j] != zero) {
                printf "bad: a sound frame (%d) after the samples end\n", j
                exit
            }
        printf "ok %d %d\n", p, ncap - p - tail
        exit
    }
    printf "bad: no frame P with capture = samples[0,P) + samples[%d,end) + silence (%d frames captured)\n", T, ncap
}
