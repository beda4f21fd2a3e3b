# alsa-model.awk -- what Wine 8's ALSA driver wrote to the device, replayed
# from its own trace (WINEDEBUG=trace+alsa), frame by frame.
#
#   awk -v cap_hex=CAP.hex -v raw_hex=RAW.hex -v sil=HEX -v skip=F -v frames=N \
#       [-v T=F] -f alsa-model.awk WINE_LOG
#
# CAP.hex and RAW.hex: the capture and the samples, one frame a line in hex
# (od -An -v -tx1 -wFRAME_BYTES); sil: a silent frame as od prints it. The
# program's frames are segments: SEG 0 is RAW from frame skip, frames of
# them; with T (a waveOutReset: a seek, or a stop), SEG 0 is RAW from frame
# 0 (cut anywhere) and SEG 1, if any, RAW from frame T to the end.
#
# Prints "identical: ..." when the capture is, frame for frame, what Wine
# wrote in some order of events the trace allows (see "Ambiguity"), else
# "differs: ...". In split mode also "first P": the frames of SEG 0 played.
#
# The model is winealsa.drv's alsa.c (Wine 8.0), for the last stream
# created (each device open truncates the capture file):
# - alsa_write_data, once a timer tick ("avail: A"; after "XRun state,
#   recovering" A is the ALSA buffer B): if nothing of the program's is in
#   ALSA (data_in_alsa == 0) and the stream holds less than an ALSA period
#   P, it first writes P - held frames of silence (its "lead-in"); then
#   data_in_alsa -= min(data_in_alsa, A), held -= the same (when started;
#   held is 0 when it would go below), and, when started, min(A, frames
#   released but not yet sent) of the program's frames go to ALSA.
# - AudioRenderClient_ReleaseBuffer (N): held += N, released += N.
# - AudioClient_Start (when stopped): sends min(B, held) frames from
#   released - held on (ALSA's null device is always empty once running,
#   so its avail is B).
# - AudioClient_Stop (when started): "rewinding L frames, now held H": the
#   last L frames written are taken back (ALSA's file plugin has not
#   written them yet), held = H, data_in_alsa = 0.
# - AudioClient_Reset (when stopped): held = released = sent = 0.
# - ALSA's null device consumes whatever is written at once, so every
#   write is whole and nothing else reaches the file.
#
# Ambiguity: the tick and position lines ("alsa_write_data avail:",
# "alsa_get_position", "alsa_rewind_best_effort") are traced inside the
# stream's lock, so their order is the order of events. ReleaseBuffer,
# Start and Reset are traced before the call takes the lock: the event
# happens somewhere between its line and its thread's next line, so a
# tick traced in between may have come before or after it (any later line
# of the same thread shows the call has returned). Each such order is
# followed as a state of its own; every "alsa_get_position" line (frames
# released since the reset, and held, both exact) and every rewind (Wine's
# arithmetic: held - H == data_in_alsa - L) removes the states that
# disagree, and so does the capture: what a state wrote is matched against
# it as it goes, all but the last ALSA buffer (a rewind may still take
# those back). The capture must be, to its end, what one state wrote.

BEGIN {
    ncap = 0
    while ((getline line < cap_hex) > 0) cap[ncap++] = line
    nraw = 0
    while ((getline line < raw_hex) > 0) raw[nraw++] = line
    skip += 0; frames += 0
}

function tid(s) { return substr(s, 1, index(s, ":") - 1) }
# "(0000000000375B10)->(4410," -> "0000000000375B10"
function ptr_of(s) { sub(/^\(/, "", s); sub(/\).*/, "", s); return s }

function new_model() {
    nst = 1
    held[1] = 0; dia[1] = 0; rel[1] = 0; sent[1] = 0; started[1] = 0
    seg[1] = 0; runs[1] = ""; ok_t[1] = ""; ok_a[1] = 0; ok_b[1] = 0
    ok_c[1] = 0; nxt[1] = 1
    cpos[1] = 0; pendn[1] = 0; n_data[1] = 0; n_sil[1] = 0; n_runs[1] = 0
    last_k[1] = ""; first[1] = 0; ends[1] = ""
    best_at = -1; best_why = ""
    nops = 0
    timer = ""
    failed = ""
}

# The open run of state i: S (silence) or D (data), merged while it grows.
function close_run(i) {
    if (ok_t[i] == "S")
        runs[i] = runs[i] " S " ok_a[i]
    else if (ok_t[i] == "D")
        runs[i] = runs[i] " D " ok_a[i] " " ok_b[i] " " ok_c[i]
    ok_t[i] = ""
}
function emit_sil(i, n) {
    if (n <= 0) return
    pendn[i] += n
    if (ok_t[i] == "S") { ok_a[i] += n; return }
    close_run(i)
    ok_t[i] = "S"; ok_a[i] = n
}
function emit_data(i, n) {
    if (n <= 0) return
    pendn[i] += n
    if (ok_t[i] == "D" && ok_a[i] == seg[i] && ok_b[i] + ok_c[i] == sent[i]) {
        ok_c[i] += n
    } else {
        close_run(i)
        ok_t[i] = "D"; ok_a[i] = seg[i]; ok_b[i] = sent[i]; ok_c[i] = n
    }
    sent[i] += n
}
# Takes the last n frames written back (a rewind); never across a reset
# (the file plugin writes out what it holds when the device is dropped).
function take_back(i, n,    k, t, m, tok) {
    if (n > pendn[i]) return 0
    pendn[i] -= n
    while (n > 0) {
        if (ok_t[i] == "S") {
            m = ok_a[i] < n ? ok_a[i] : n
            ok_a[i] -= m; n -= m
            if (ok_a[i] == 0) ok_t[i] = ""
            continue
        }
        if (ok_t[i] == "D") {
            m = ok_c[i] < n ? ok_c[i] : n
            ok_c[i] -= m; n -= m
            if (ok_c[i] == 0) ok_t[i] = ""
            continue
        }
        # reopen the last closed run
        k = split(runs[i], tok, " ")
        if (k == 0 || tok[k - 2] == "E" || tok[1] == "") return 0
        if (tok[k - 1] == "S") {
            ok_t[i] = "S"; ok_a[i] = tok[k] + 0
            runs[i] = substr(runs[i], 1, length(runs[i]) - length(" S " tok[k]))
        } else if (tok[k - 3] == "D") {
            ok_t[i] = "D"; ok_a[i] = tok[k - 2] + 0; ok_b[i] = tok[k - 1] + 0
            ok_c[i] = tok[k] + 0
            runs[i] = substr(runs[i], 1,
                length(runs[i]) - length(" D " tok[k - 2] " " tok[k - 1] " " tok[k]))
        } else
            return 0
    }
    return 1
}

# A state whose written frames differ from the capture dies; the furthest
# any state got is what "differs" reports.
function fail_at(i, p, why) {
    dead[i] = 1
    if (p > best_at) { best_at = p; best_why = why }
    return 0
}
function match_sil(i, m,    k, p) {
    for (k = 0; k < m; k++) {
        p = cpos[i] + k
        if (p >= ncap)
            return fail_at(i, p, "the capture ends where Wine wrote silence")
        if (cap[p] != sil)
            return fail_at(i, p, "Wine wrote silence there (a run of it)")
    }
    n_sil[i] += m
    if (last_k[i] != "S") n_runs[i]++
    last_k[i] = "S"
    cpos[i] += m
    return 1
}
function match_data(i, sg, from, m,    k, p, base, lim, idx) {
    if (T == "") {
        if (sg != 0)
            return fail_at(i, cpos[i], "the program started a second stream (a reset) where one was expected")
        base = skip; lim = skip + frames
    } else if (sg == 0) {
        base = 0; lim = nraw
    } else if (sg == 1) {
        base = T; lim = nraw
    } else
        return fail_at(i, cpos[i], "the program started a third stream (two resets)")
    for (k = 0; k < m; k++) {
        p = cpos[i] + k
        idx = base + from + k
        if (idx >= lim)
            return fail_at(i, p, "the program released frames past the samples")
        if (p >= ncap)
            return fail_at(i, p, "the capture ends where Wine wrote sample frame " idx)
        if (cap[p] != raw[idx])
            return fail_at(i, p, "Wine wrote sample frame " idx " there")
    }
    n_data[i] += m
    last_k[i] = "D"
    if (sg == 0 && from + m > first[i]) first[i] = from + m
    cpos[i] += m
    return 1
}
# Matches the oldest frames state i wrote against the capture, all but
# the last keep (a rewind may still take those back: ALSA's file plugin
# holds back up to a buffer).
function commit(i, keep,    n, tok, kind, a, b, c, len, m, used, k, r) {
    while (!dead[i] && pendn[i] > keep) {
        if (runs[i] != "") {
            n = split(runs[i], tok, " ")
            kind = tok[1]
            if (kind == "S") { a = tok[2] + 0; used = 2; len = a }
            else { a = tok[2] + 0; b = tok[3] + 0; c = tok[4] + 0; used = 4; len = c }
        } else {
            kind = ok_t[i]; a = ok_a[i]; b = ok_b[i]; c = ok_c[i]
            len = kind == "S" ? a : c
        }
        m = pendn[i] - keep
        if (m > len) m = len
        if (kind == "S") { if (!match_sil(i, m)) return }
        else if (!match_data(i, a, b, m)) return
        pendn[i] -= m
        if (runs[i] != "") {
            r = ""
            if (m < len)
                r = kind == "S" ? " S " (a - m) : " D " a " " (b + m) " " (c - m)
            for (k = used + 1; k <= n; k++) r = r " " tok[k]
            runs[i] = r
        } else if (kind == "S") {
            ok_a[i] -= m
            if (ok_a[i] == 0) ok_t[i] = ""
        } else {
            ok_b[i] += m; ok_c[i] -= m
            if (ok_c[i] == 0) ok_t[i] = ""
        }
    }
}

function copy_state(i, j) {
    held[j] = held[i]; dia[j] = dia[i]; rel[j] = rel[i]; sent[j] = sent[i]
    started[j] = started[i]; seg[j] = seg[i]; runs[j] = runs[i]
    ok_t[j] = ok_t[i]; ok_a[j] = ok_a[i]; ok_b[j] = ok_b[i]; ok_c[j] = ok_c[i]
    nxt[j] = nxt[i]
    cpos[j] = cpos[i]; pendn[j] = pendn[i]; n_data[j] = n_data[i]
    n_sil[j] = n_sil[i]; n_runs[j] = n_runs[i]; last_k[j] = last_k[i]
    first[j] = first[i]; ends[j] = ends[i]; dead[j] = dead[i]
}

function apply_op(i, k) {
    if (op_kind[k] == "release") {
        held[i] += op_n[k]; rel[i] += op_n[k]
    } else if (op_kind[k] == "start") {
        if (!started[i]) {
            sent[i] = rel[i] - held[i]
            emit_data(i, held[i] < B ? held[i] : B)
            dia[i] = held[i] < B ? held[i] : B
            started[i] = 1
            commit(i, B)
        }
    } else if (op_kind[k] == "reset") {
        if (!started[i]) {
            # ALSA's drop makes the file plugin write out what it held.
            commit(i, 0)
            if (rel[i] > 0) {
                ends[i] = ends[i] " " seg[i] ":" rel[i]
                seg[i]++
            }
            held[i] = 0; rel[i] = 0; sent[i] = 0
        }
    }
    nxt[i] = k + 1
}

# Every state applies the pending events up to index k (those of the
# thread that is tracing now: they are done).
function force(k,    i, j) {
    for (i = 1; i <= nst; i++)
        for (j = nxt[i]; j <= k; j++)
            apply_op(i, j)
}

# A locked line of another thread: each state splits into one per number
# of the pending events that happened before it.
function branch(    i, j, m, n0) {
    n0 = nst
    for (i = 1; i <= n0; i++) {
        for (j = nxt[i]; j <= nops; j++) {
            nst++
            copy_state(i, nst)
            for (m = nxt[nst]; m <= j; m++)
                apply_op(nst, m)
        }
    }
}

# Drops states that died or repeat another.
function compact(    i, n, key, seen) {
    n = 0
    for (i = 1; i <= nst; i++) {
        if (dead[i]) { dead[i] = 0; continue }
        key = held[i] SUBSEP dia[i] SUBSEP rel[i] SUBSEP sent[i] SUBSEP started[i] \
            SUBSEP seg[i] SUBSEP nxt[i] SUBSEP runs[i] SUBSEP ok_t[i] SUBSEP ok_a[i] \
            SUBSEP ok_b[i] SUBSEP ok_c[i] SUBSEP cpos[i] SUBSEP pendn[i] SUBSEP ends[i]
        if (key in seen) continue
        seen[key] = 1
        n++
        if (n != i) copy_state(i, n)
    }
    nst = n
    if (nst == 0 && failed == "" && !capfail) {
        if (best_at >= 0)
            capfail = 1 # every order wrote something the capture does not hold
        else
            failed = "no order of the traced events gives what line " NR " says: " $0
    }
    if (nst > 4096 && failed == "")
        failed = "more than 4096 orders of events fit the trace up to line " NR
}

# The last pending event of thread t (0 if none).
function last_of(t,    k) {
    for (k = nops; k >= 1; k--)
        if (op_tid[k] == t) return k
    return 0
}

function tick(a,    i, n, dfp, w, maxc) {
    for (i = 1; i <= nst; i++) {
        if (dia[i] == 0 && held[i] < P)
            emit_sil(i, P - held[i])
        maxc = started[i] ? rel[i] - sent[i] : 0
        dfp = dia[i] < a ? dia[i] : a
        dia[i] -= dfp
        if (held[i] > dfp) {
            if (started[i]) held[i] -= dfp
        } else
            held[i] = 0
        w = a < maxc ? a : maxc
        if (w > 0) {
            emit_data(i, w)
            dia[i] += w
        }
        commit(i, B)
    }
}

{
    # only driver lines; the program's own output may be mixed in
    if ($0 !~ /^[0-9a-f]+:(trace|warn):alsa:/) next
    t = tid($0)
    split($0, f, ":")
    fn = f[4]; sub(/ .*/, "", fn)
    # Any later line of a thread shows its earlier calls have returned.
    if (live && failed == "" && !capfail && fn != "AudioRenderClient_ReleaseBuffer" &&
        fn != "AudioClient_Start" && fn != "AudioClient_Reset")
        force(last_of(t))
}
fn == "AudioClient_Initialize" {
    init_ptr[t] = ptr_of($2)
    next
}
fn == "alsa_create_stream" && /ALSA period: / {
    new_model()
    capfail = 0
    P = $(NF - 1) + 0
    cur = init_ptr[t]
    live = 1
    next
}
fn == "alsa_create_stream" && /ALSA buffer: / { B = $(NF - 1) + 0; next }
!live || failed != "" || capfail { next }
fn == "AudioRenderClient_ReleaseBuffer" || fn == "AudioClient_Start" ||
fn == "AudioClient_Reset" {
    if (ptr_of($2) != cur) next # another stream
    force(last_of(t))
    nops++
    op_tid[nops] = t
    if (fn == "AudioRenderClient_ReleaseBuffer") {
        s = $0; sub(/.*->\(/, "", s); split(s, g, /[,)]/)
        op_kind[nops] = "release"; op_n[nops] = g[1] + 0
        if (g[2] + 0 != 0)
            failed = "ReleaseBuffer with flags " g[2] " (silent buffers are not modelled): " $0
    } else if (fn == "AudioClient_Start")
        op_kind[nops] = "start"
    else
        op_kind[nops] = "reset"
    next
}
fn == "AudioClock_GetPosition" { pos_ptr[t] = ptr_of($2); next }
fn == "alsa_write_data" && /XRun state, recovering/ { xrun = 1; next }
fn == "alsa_write_data" && / avail: / {
    if (timer == "") timer = t
    if (t != timer) next # another stream's timer
    a = xrun ? B : $NF + 0
    xrun = 0
    force(last_of(t))
    branch()
    compact()
    tick(a)
    compact()
    next
}
fn == "alsa_get_position" {
    if (pos_ptr[t] != cur) next # another stream's position
    s = $0; sub(/.*frames written: /, "", s); split(s, g, /[, ]+/)
    w = g[1] + 0; h = g[3] + 0
    force(last_of(t))
    branch()
    for (i = 1; i <= nst; i++)
        if (rel[i] % 1000000000 != w || held[i] != h) dead[i] = 1
    compact()
    next
}
fn == "alsa_rewind_best_effort" {
    s = $0; sub(/.*rewinding /, "", s); split(s, g, " ")
    l = g[1] + 0; h = $NF + 0
    force(last_of(t))
    branch()
    for (i = 1; i <= nst; i++) {
        # alsa_rewind_best_effort: leave = frames it deems played since the
        # tick; held -= leave (0 if less), rewinds data_in_alsa - leave.
        if (!started[i]) { dead[i] = 1; continue }
        if (l > 0 && dia[i] - l != held[i] - h) { dead[i] = 1; continue }
        if (l == 0 && h > 0 && dia[i] > held[i] - h) { dead[i] = 1; continue }
        if (!take_back(i, l)) { dead[i] = 1; continue }
        held[i] = h; dia[i] = 0; started[i] = 0
    }
    compact()
    next
}
END {
    if (!live) { print "differs: Wine's trace shows no stream (no alsa_create_stream line)"; exit 1 }
    if (failed != "") { print "differs: Wine's trace does not fit the model: " failed; exit 1 }
    if (!capfail) force(nops)
    ok = 0
    for (i = 1; i <= nst; i++) {
        if (dead[i]) continue
        commit(i, 0)
        if (dead[i]) continue
        if (cpos[i] < ncap) { fail_at(i, cpos[i], "the capture goes on past what Wine wrote"); continue }
        e = ends[i]
        if (rel[i] > 0) e = e " " seg[i] ":" rel[i]
        # What the program released: all the samples asked for.
        n = split(e, g, " ")
        why = ""
        if (T == "") {
            if (n != 1 || g[1] != "0:" frames)
                why = "the program released " (n ? substr(g[1], 3) : 0) " frames to Wine, not the " frames " sample frames"
        } else {
            if (n > 2) why = "the program released " n " streams (resets), at most two expected"
            else if (T + 0 < nraw && (n < 2 || g[2] != "1:" (nraw - T)))
                why = "after the reset the program released " (n >= 2 ? substr(g[2], 3) : 0) " frames, not the " (nraw - T) " from frame " T " on"
        }
        if (why != "") { fail_at(i, ncap, why); continue }
        if (!ok) winner = i
        ok++
    }
    if (!ok) {
        printf "differs: capture frame %d is not what Wine's trace says it wrote: %s (%d frames captured)\n", best_at, best_why, ncap
        exit 1
    }
    i = winner
    if (n_sil[i] == 0)
        printf "identical: %d frames, %d of the samples (Wine wrote no silence of its own)", ncap, n_data[i]
    else
        printf "identical: %d frames, %d of the samples and %d of Wine's silence in %d runs, each where and as long as Wine's trace says", ncap, n_data[i], n_sil[i], n_runs[i]
    printf " (orders of events that fit the trace and the capture: %d)\n", ok
    if (T != "") print "first " first[i]
}
