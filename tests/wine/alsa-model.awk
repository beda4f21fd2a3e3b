# alsa-model.awk -- what Wine 8's ALSA driver wrote to the device, replayed
# from its own trace (WINEDEBUG=trace+alsa), frame by frame.
#
#   awk -f alsa-model.awk WINE_LOG
#
# Prints, for each order of events the trace allows (see "Ambiguity"), one
# line "candidate" and then the runs it wrote to ALSA, in order:
#   S N            N frames of Wine's own silence
#   D SEG FROM N   N frames of what the program released: frames
#                  [FROM, FROM+N) of segment SEG (counted from the last
#                  AudioClient_Reset that had data before it: a seek)
#   E SEG R        segment SEG ends, the program having released R frames
# or one line "error: WHY" when the trace does not fit the model.
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
# of the same thread shows the call has returned). Each such
# choice is followed (a candidate each); every "alsa_get_position" line
# (frames released since the reset, and held, both exact) removes the
# candidates that disagree. What is left is what Wine may have written.

function tid(s) { return substr(s, 1, index(s, ":") - 1) }
# "(0000000000375B10)->(4410," -> "0000000000375B10"
function ptr_of(s) { sub(/^\(/, "", s); sub(/\).*/, "", s); return s }

function new_model() {
    nst = 1
    held[1] = 0; dia[1] = 0; rel[1] = 0; sent[1] = 0; started[1] = 0
    seg[1] = 0; runs[1] = ""; ok_t[1] = ""; ok_a[1] = 0; ok_b[1] = 0
    ok_c[1] = 0; nxt[1] = 1
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
    if (ok_t[i] == "S") { ok_a[i] += n; return }
    close_run(i)
    ok_t[i] = "S"; ok_a[i] = n
}
function emit_data(i, n) {
    if (n <= 0) return
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

# What a run list wrote, and what was released: adjacent silence merged
# across a reset.
function canon(r,    n, tok, k, out, ends, sil) {
    n = split(r, tok, " ")
    out = ""; ends = ""; sil = 0
    for (k = 1; k <= n; k++) {
        if (tok[k] == "S") { sil += tok[k + 1]; k += 1; continue }
        if (tok[k] == "E") { ends = ends " " tok[k + 1] ":" tok[k + 2]; k += 2; continue }
        if (sil) { out = out " S" sil; sil = 0 }
        out = out " D" tok[k + 1] ":" tok[k + 2] ":" tok[k + 3]
        k += 3
    }
    if (sil) out = out " S" sil
    return out "|" ends
}

function copy_state(i, j) {
    held[j] = held[i]; dia[j] = dia[i]; rel[j] = rel[i]; sent[j] = sent[i]
    started[j] = started[i]; seg[j] = seg[i]; runs[j] = runs[i]
    ok_t[j] = ok_t[i]; ok_a[j] = ok_a[i]; ok_b[j] = ok_b[i]; ok_c[j] = ok_c[i]
    nxt[j] = nxt[i]
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
        }
    } else if (op_kind[k] == "reset") {
        if (!started[i]) {
            if (rel[i] > 0) {
                close_run(i)
                runs[i] = runs[i] " E " seg[i] " " rel[i]
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
            SUBSEP ok_b[i] SUBSEP ok_c[i]
        if (key in seen) continue
        seen[key] = 1
        n++
        if (n != i) copy_state(i, n)
    }
    nst = n
    if (nst == 0 && failed == "")
        failed = "no order of the traced events gives what line " NR " says: " $0
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
    }
}

{
    # only driver lines; the program's own output may be mixed in
    if ($0 !~ /^[0-9a-f]+:(trace|warn):alsa:/) next
    t = tid($0)
    split($0, f, ":")
    fn = f[4]; sub(/ .*/, "", fn)
    # Any later line of a thread shows its earlier calls have returned.
    if (live && failed == "" && fn != "AudioRenderClient_ReleaseBuffer" &&
        fn != "AudioClient_Start" && fn != "AudioClient_Reset")
        force(last_of(t))
}
fn == "AudioClient_Initialize" {
    init_ptr[t] = ptr_of($2)
    next
}
fn == "alsa_create_stream" && /ALSA period: / {
    new_model()
    P = $(NF - 1) + 0
    cur = init_ptr[t]
    live = 1
    next
}
fn == "alsa_create_stream" && /ALSA buffer: / { B = $(NF - 1) + 0; next }
!live || failed != "" { next }
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
    if (!live) { print "error: no stream was created (no alsa_create_stream line)"; exit }
    if (failed != "") { print "error: " failed; exit }
    force(nops)
    compact()
    if (failed != "") { print "error: " failed; exit }
    for (i = 1; i <= nst; i++) {
        close_run(i)
        if (rel[i] > 0) runs[i] = runs[i] " E " seg[i] " " rel[i]
        # Orders that differ only in when a reset came between two runs of
        # silence wrote the same: one candidate.
        key = canon(runs[i])
        if (key in printed) continue
        printed[key] = 1
        print "candidate"
        n = split(runs[i], tok, " ")
        for (k = 1; k <= n; k++) {
            if (tok[k] == "S") { print "S " tok[k + 1]; k += 1 }
            else if (tok[k] == "D") { print "D " tok[k + 1] " " tok[k + 2] " " tok[k + 3]; k += 3 }
            else if (tok[k] == "E") { print "E " tok[k + 1] " " tok[k + 2]; k += 2 }
        }
    }
}
