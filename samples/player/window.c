/*
 * window.c -- window mode: one top-level window with ordinary controls.
 *
 *   Name: [pack.zmm+intro.wav            ] [Open] [Browse...]
 *   Member: [intro.wav                 v]
 *   [Play] [Stop]  [----------|-----------------]   0:12.3 / 1:05.0
 *   Playing pack.zmm+intro.wav
 *   | Playing | PCM 16-bit, stereo, 44100 Hz | 11.5 MB -> 4.1 MB (...) |
 *
 * Keys (anywhere but in the name box): space play/pause, Left/Right seek
 * -/+5 s. Enter in the name box opens the typed name; Browse... opens the
 * common file dialog; an archive's members are offered in the list.
 *
 * A 100 ms timer moves the seek bar and the time label from the player's
 * position. With --trace the window also reports on stdout (states,
 * positions, where each control is), for a test that drives it with real
 * key presses and clicks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmmplay.h" /* <windows.h> before the common controls' headers */

#include <commctrl.h>
#include <commdlg.h>

#include "dllload.h"
#include "player.h"
#include "source.h"
#include "text.h"

#define IDC_NAME_LABEL 100
#define IDC_NAME 101
#define IDC_OPEN 102
#define IDC_BROWSE 103
#define IDC_MEMBER_LABEL 104
#define IDC_MEMBERS 105
#define IDC_PLAY 106
#define IDC_STOP 107
#define IDC_SEEK 108
#define IDC_TIME 109
#define IDC_MESSAGE 110
#define IDC_STATUS 111

#define TIMER_ID 1
#define TIMER_MS 100
#define SEEK_STEP_SECONDS 5

typedef struct window {
    HWND hwnd;
    HWND name_label, name, open, browse, member_label, members;
    HWND play, stop, seek, time, message, status;
    HFONT font;
    double scale; /* pixels per 96-dpi pixel */
    UINT device;
    int trace;
    int dragging; /* the seek bar's thumb is held */

    source src;
    player *player;   /* NULL when nothing is loaded */
    int failure_shown;
    DWORD last_pos;
    player_state last_state;
} window;

static window the_window;

static int px(const window *w, int x)
{
    return (int)(x * w->scale + 0.5);
}

static void trace(const window *w, const char *fmt, ...) TEXT_PRINTF(2, 3);

static void trace(const window *w, const char *fmt, ...)
{
    char buf[1200];
    va_list ap;

    if (!w->trace)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    buf[sizeof buf - 1] = '\0';
    text_out("trace: %s\n", buf);
}

static void set_text(HWND h, const char *utf8)
{
    wchar_t *w = text_wide_from_utf8(utf8);

    SetWindowTextW(h, w ? w : L"?");
    free(w);
}

static void set_status(window *w, int part, const char *utf8)
{
    wchar_t *t = text_wide_from_utf8(utf8);

    SendMessageW(w->status, SB_SETTEXTW, (WPARAM)part, (LPARAM)(t ? t : L""));
    free(t);
}

static void show_message(window *w, const char *utf8)
{
    set_text(w->message, utf8);
}

static const char *state_name(player_state s)
{
    switch (s) {
    case PLAYER_PLAYING:
        return "playing";
    case PLAYER_PAUSED:
        return "paused";
    case PLAYER_FINISHED:
        return "finished";
    case PLAYER_FAILED:
        return "failed";
    default:
        return "stopped";
    }
}

/* ---- layout -------------------------------------------------------------- */

static void layout(window *w)
{
    RECT rc;
    int W, m = px(w, 10), row = px(w, 24), gap = px(w, 8);
    int label = px(w, 56), button = px(w, 84), time_w = px(w, 120);
    int y, x, edit_w;

    GetClientRect(w->hwnd, &rc);
    W = rc.right;
    SendMessageW(w->status, WM_SIZE, 0, 0); /* it sizes itself */
    {
        int parts[3];

        parts[0] = px(w, 90);
        parts[1] = parts[0] + (W - parts[0]) * 2 / 5;
        parts[2] = -1;
        SendMessageW(w->status, SB_SETPARTS, 3, (LPARAM)parts);
    }

    y = m;
    edit_w = W - 2 * m - label - 2 * (button + gap) - gap;
    MoveWindow(w->name_label, m, y + px(w, 4), label, row - px(w, 4), TRUE);
    x = m + label;
    MoveWindow(w->name, x, y, edit_w, row, TRUE);
    x += edit_w + gap;
    MoveWindow(w->open, x, y, button, row, TRUE);
    x += button + gap;
    MoveWindow(w->browse, x, y, button, row, TRUE);

    y += row + gap;
    MoveWindow(w->member_label, m, y + px(w, 4), label, row - px(w, 4), TRUE);
    /* A drop-down list's height includes its list: room for 10 names. */
    MoveWindow(w->members, m + label, y, edit_w, px(w, 220), TRUE);

    y += row + gap + px(w, 6);
    MoveWindow(w->play, m, y, button, row + px(w, 4), TRUE);
    MoveWindow(w->stop, m + button + gap, y, button, row + px(w, 4), TRUE);
    x = m + 2 * (button + gap);
    MoveWindow(w->seek, x, y, W - x - m - time_w, row + px(w, 4), TRUE);
    MoveWindow(w->time, W - m - time_w, y + px(w, 6), time_w, row, TRUE);

    y += row + px(w, 4) + gap + px(w, 4);
    MoveWindow(w->message, m, y, W - 2 * m, row, TRUE);
}

/* ---- the loaded sound -------------------------------------------------- */

static DWORD ms_to_frame(const window *w, LONG ms)
{
    return (DWORD)((double)ms * w->src.wav.rate / 1000.0 + 0.5);
}

static LONG frame_to_ms(const window *w, DWORD frame)
{
    return w->src.wav.rate
               ? (LONG)((double)frame * 1000.0 / w->src.wav.rate + 0.5)
               : 0;
}

static void show_time(window *w, DWORD frame)
{
    char now[32], all[32], text[80];

    if (!w->player) {
        set_text(w->time, "");
        return;
    }
    text_time(now, sizeof now, (double)frame / w->src.wav.rate);
    text_time(all, sizeof all, (double)w->src.wav.frames / w->src.wav.rate);
    text_format(text, sizeof text, "%s / %s", now, all);
    set_text(w->time, text);
}

static void unload(window *w)
{
    if (w->player) {
        player_close(w->player);
        w->player = NULL;
    }
    source_close(&w->src);
}

/* Fills the member list from the source's archive. */
static void fill_members(window *w)
{
    size_t i;

    SendMessageW(w->members, CB_RESETCONTENT, 0, 0);
    if (!w->src.archive) {
        EnableWindow(w->members, FALSE);
        return;
    }
    for (i = 0; i < w->src.list.count; i++) {
        wchar_t *name = text_wide_from_utf8(w->src.list.entries[i].name);

        SendMessageW(w->members, CB_ADDSTRING, 0, (LPARAM)(name ? name : L"?"));
        free(name);
        if (w->src.member &&
            strcmp(w->src.list.entries[i].name, w->src.member) == 0)
            SendMessageW(w->members, CB_SETCURSEL, i, 0);
    }
    EnableWindow(w->members, w->src.list.count > 1);
}

static void update_buttons(window *w)
{
    player_state s = w->player ? player_get_state(w->player) : PLAYER_STOPPED;

    SetWindowTextW(w->play, s == PLAYER_PLAYING ? L"Pause" : L"Play");
    EnableWindow(w->play, w->player != NULL);
    EnableWindow(w->stop, w->player != NULL);
    EnableWindow(w->seek, w->player != NULL);
}

/* Opens `name` (UTF-8), replacing what was loaded; plays it if `play`. */
static void load(window *w, const char *name, int play)
{
    char err[1200], text[1400], ratio[200];
    wchar_t title[300];
    wchar_t *wide;

    unload(w);
    SendMessageW(w->seek, TBM_SETPOS, TRUE, 0);
    set_status(w, 1, "");
    set_status(w, 2, "");
    if (source_open(&w->src, name, err, sizeof err) != SOURCE_OK ||
        player_open(&w->player, &w->src.wav, w->device, err, sizeof err) !=
            PLAYER_OPEN_OK) {
        if (w->src.name && !strstr(err, w->src.name))
            text_format(text, sizeof text, "%s: %s", w->src.name, err);
        else
            text_format(text, sizeof text, "%s", err);
        w->player = NULL;
        source_close(&w->src);
        show_message(w, text);
        set_status(w, 0, "Error");
        fill_members(w);
        update_buttons(w);
        show_time(w, 0);
        SetWindowTextW(w->hwnd, L"zmmplay");
        trace(w, "error %s", text);
        return;
    }
    set_text(w->name, w->src.name);
    fill_members(w);
    SendMessageW(w->seek, TBM_SETRANGEMIN, FALSE, 0);
    SendMessageW(w->seek, TBM_SETRANGEMAX, TRUE,
                 frame_to_ms(w, w->src.wav.frames));
    SendMessageW(w->seek, TBM_SETPAGESIZE, 0, SEEK_STEP_SECONDS * 1000);
    SendMessageW(w->seek, TBM_SETLINESIZE, 0, 1000);
    SendMessageW(w->seek, TBM_SETPOS, TRUE, 0);
    set_status(w, 1, w->src.wav.description);
    source_compression(&w->src, ratio, sizeof ratio);
    set_status(w, 2, ratio);
    {
        char length[32];

        text_time(length, sizeof length,
                  (double)w->src.wav.frames / w->src.wav.rate);
        if (w->src.archive && w->src.list.count == 1)
            text_format(text, sizeof text, "%s: %s, the only member of %s",
                        w->src.name, length, w->src.archive);
        else if (w->src.archive)
            text_format(text, sizeof text, "%s: %s, one of %lu member%s of %s",
                        w->src.name, length,
                        (unsigned long)w->src.list.count,
                        w->src.list.count == 1 ? "" : "s", w->src.archive);
        else
            text_format(text, sizeof text, "%s: %s", w->src.name, length);
    }
    show_message(w, text);
    wide = text_wide_from_utf8(w->src.member && *w->src.member
                                   ? w->src.member : w->src.name);
    _snwprintf(title, 300, L"%ls - zmmplay", wide ? wide : L"?");
    title[299] = L'\0';
    free(wide);
    SetWindowTextW(w->hwnd, title);
    w->failure_shown = 0;
    w->last_pos = (DWORD)-1;
    trace(w, "loaded %s frames=%lu rate=%lu block=%lu members=%lu", w->src.name,
          (unsigned long)w->src.wav.frames, (unsigned long)w->src.wav.rate,
          (unsigned long)w->src.wav.block_align,
          (unsigned long)w->src.list.count);
    if (play)
        player_play(w->player);
    update_buttons(w);
    show_time(w, 0);
}

/* Seeks from `from` (the position the request was computed from) to
 * `frame`. */
static void seek_to(window *w, DWORD from, DWORD frame)
{
    DWORD first, sent;
    LARGE_INTEGER t0, t1, hz;

    if (frame > w->src.wav.frames)
        frame = w->src.wav.frames;
    QueryPerformanceCounter(&t0);
    player_seek(w->player, frame);
    QueryPerformanceCounter(&t1);
    QueryPerformanceFrequency(&hz);
    player_sent(w->player, &first, &sent);
    /* The time the seek took: the device was reset and, when playing,
     * restarted with the buffers read at the new position. */
    trace(w, "seek from=%lu to=%lu (%.1f ms, %lu frames queued)",
          (unsigned long)from, (unsigned long)first,
          (double)(t1.QuadPart - t0.QuadPart) * 1000.0 / (double)hz.QuadPart,
          (unsigned long)sent);
}

static void toggle(window *w)
{
    if (!w->player)
        return;
    if (player_get_state(w->player) == PLAYER_PLAYING)
        player_pause(w->player);
    else
        player_play(w->player);
    update_buttons(w);
}

/* Space, Left, Right, Escape (stop). Returns 1 if handled. */
static int apply_key(window *w, WPARAM vk)
{
    DWORD pos, step;

    switch (vk) {
    case VK_SPACE:
        trace(w, "key space");
        toggle(w);
        return 1;
    case VK_LEFT:
    case VK_RIGHT:
        trace(w, "key %s", vk == VK_LEFT ? "left" : "right");
        if (!w->player)
            return 1;
        pos = player_position(w->player);
        step = SEEK_STEP_SECONDS * w->src.wav.rate;
        if (vk == VK_LEFT)
            seek_to(w, pos, pos > step ? pos - step : 0);
        else
            seek_to(w, pos, pos + step);
        return 1;
    case VK_ESCAPE:
        trace(w, "key stop");
        if (w->player)
            player_stop(w->player);
        update_buttons(w);
        return 1;
    default:
        return 0;
    }
}

static void open_typed_name(window *w)
{
    int n = GetWindowTextLengthW(w->name);
    wchar_t *text = calloc((size_t)n + 1, sizeof *text);
    char *name;

    if (!text)
        return;
    GetWindowTextW(w->name, text, n + 1);
    name = text_utf8_from_wide(text);
    free(text);
    if (name && *name)
        load(w, name, 1);
    free(name);
}

/* --trace: says when the file dialog is ready for input (a test types into
 * it then). */
static UINT_PTR CALLBACK browse_hook(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
    (void)dlg;
    (void)wp;
    if (msg == WM_NOTIFY && ((OFNOTIFYW *)lp)->hdr.code == CDN_INITDONE)
        trace(&the_window, "browse dialog open");
    return 0;
}

static void browse(window *w)
{
    wchar_t path[MAX_PATH * 2] = L"";
    OPENFILENAMEW ofn;
    char *name;

    memset(&ofn, 0, sizeof ofn);
    ofn.lStructSize = sizeof ofn;
    ofn.hwndOwner = w->hwnd;
    ofn.lpstrFilter = L"Sounds (*.wav, *.zmm)\0*.wav;*.zmm\0"
                      L"ZMM archives (*.zmm)\0*.zmm\0"
                      L"WAVE files (*.wav)\0*.wav\0"
                      L"All files\0*.*\0";
    ofn.lpstrFile = path;
    ofn.nMaxFile = MAX_PATH * 2;
    ofn.lpstrTitle = L"Open a WAVE file or a ZMM archive";
    ofn.Flags = OFN_FILEMUSTEXIST | OFN_PATHMUSTEXIST | OFN_HIDEREADONLY;
    if (w->trace) {
        ofn.Flags |= OFN_EXPLORER | OFN_ENABLEHOOK;
        ofn.lpfnHook = browse_hook;
    }
    if (!GetOpenFileNameW(&ofn))
        return;
    name = text_utf8_from_wide(path);
    if (name)
        load(w, name, 1); /* "x.zmm" becomes "x.zmm+": its default member */
    free(name);
}

static void member_chosen(window *w)
{
    LRESULT i = SendMessageW(w->members, CB_GETCURSEL, 0, 0);
    char *name;
    size_t n;

    if (i < 0 || !w->src.archive || (size_t)i >= w->src.list.count)
        return;
    if (w->src.member &&
        strcmp(w->src.member, w->src.list.entries[i].name) == 0)
        return;
    n = strlen(w->src.archive) + strlen(w->src.list.entries[i].name) + 2;
    name = malloc(n);
    if (!name)
        return;
    text_format(name, n, "%s+%s", w->src.archive, w->src.list.entries[i].name);
    load(w, name, 1);
    free(name);
}

/* Every TIMER_MS: the position, the time, the state; a failure's message. */
static void tick(window *w)
{
    DWORD pos;
    player_state s;
    char state[40];

    if (!w->player)
        return;
    pos = player_position(w->player);
    s = player_get_state(w->player);
    if (!w->dragging) {
        SendMessageW(w->seek, TBM_SETPOS, TRUE, frame_to_ms(w, pos));
        show_time(w, pos);
    }
    if (s != w->last_state || w->last_pos == (DWORD)-1) { /* or just loaded */
        update_buttons(w);
        text_format(state, sizeof state, "%s", state_name(s));
        state[0] = (char)(state[0] - 'a' + 'A');
        set_status(w, 0, state);
    }
    if (s == PLAYER_FAILED && !w->failure_shown) {
        char what[512], msg[1200];

        player_error(w->player, what, sizeof what);
        source_read_failure(&w->src, what, msg, sizeof msg);
        show_message(w, msg);
        w->failure_shown = 1;
        trace(w, "error %s", msg);
    }
    if (pos != w->last_pos || s != w->last_state) {
        RECT thumb; /* where a test grabs the seek bar: screen coordinates */

        SendMessageW(w->seek, TBM_GETTHUMBRECT, 0, (LPARAM)&thumb);
        MapWindowPoints(w->seek, NULL, (POINT *)&thumb, 2);
        trace(w, "pos=%lu state=%s thumb=%ld,%ld", (unsigned long)pos,
              state_name(s), (long)(thumb.left + thumb.right) / 2,
              (long)(thumb.top + thumb.bottom) / 2);
    }
    w->last_pos = pos;
    w->last_state = s;
}

static void on_scroll(window *w, WPARAM wp)
{
    LONG ms;

    if (!w->player)
        return;
    ms = (LONG)SendMessageW(w->seek, TBM_GETPOS, 0, 0);
    switch (LOWORD(wp)) {
    case TB_THUMBTRACK:
        w->dragging = 1;
        show_time(w, ms_to_frame(w, ms));
        break;
    case TB_ENDTRACK:
        w->dragging = 0;
        seek_to(w, player_position(w->player), ms_to_frame(w, ms));
        break;
    default:
        break;
    }
}

/* ---- window ------------------------------------------------------------ */

static HWND child(window *w, const wchar_t *cls, const wchar_t *text,
                  DWORD style, int id)
{
    HWND h = CreateWindowExW(0, cls, text, WS_CHILD | WS_VISIBLE | style, 0, 0,
                             10, 10, w->hwnd, (HMENU)(INT_PTR)id,
                             GetModuleHandleW(NULL), NULL);

    SendMessageW(h, WM_SETFONT, (WPARAM)w->font, FALSE);
    return h;
}

static void create_children(window *w)
{
    w->name_label = child(w, L"STATIC", L"Name:", SS_LEFT, IDC_NAME_LABEL);
    w->name = CreateWindowExW(WS_EX_CLIENTEDGE, L"EDIT", L"",
                              WS_CHILD | WS_VISIBLE | WS_TABSTOP |
                                  ES_AUTOHSCROLL,
                              0, 0, 10, 10, w->hwnd, (HMENU)IDC_NAME,
                              GetModuleHandleW(NULL), NULL);
    SendMessageW(w->name, WM_SETFONT, (WPARAM)w->font, FALSE);
    SendMessageW(w->name, EM_SETCUEBANNER, TRUE,
                 (LPARAM)L"a .wav file, archive.zmm or archive.zmm+member.wav");
    w->open = child(w, L"BUTTON", L"Open", WS_TABSTOP | BS_PUSHBUTTON,
                    IDC_OPEN);
    w->browse = child(w, L"BUTTON", L"Browse...", WS_TABSTOP | BS_PUSHBUTTON,
                      IDC_BROWSE);
    w->member_label = child(w, L"STATIC", L"Member:", SS_LEFT,
                            IDC_MEMBER_LABEL);
    w->members = child(w, L"COMBOBOX", L"",
                       WS_TABSTOP | WS_VSCROLL | CBS_DROPDOWNLIST,
                       IDC_MEMBERS);
    w->play = child(w, L"BUTTON", L"Play", WS_TABSTOP | BS_PUSHBUTTON,
                    IDC_PLAY);
    w->stop = child(w, L"BUTTON", L"Stop", WS_TABSTOP | BS_PUSHBUTTON,
                    IDC_STOP);
    w->seek = child(w, TRACKBAR_CLASSW, L"",
                    WS_TABSTOP | TBS_HORZ | TBS_NOTICKS, IDC_SEEK);
    w->time = child(w, L"STATIC", L"", SS_RIGHT, IDC_TIME);
    w->message = child(w, L"STATIC", L"Open a WAVE file or an archive member.",
                       SS_LEFT | SS_ENDELLIPSIS | SS_NOPREFIX, IDC_MESSAGE);
    w->status = child(w, STATUSCLASSNAMEW, L"", SBARS_SIZEGRIP, IDC_STATUS);
    fill_members(w);
    update_buttons(w);
    set_status(w, 0, "Stopped");
}

static LRESULT CALLBACK window_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    window *w = &the_window;

    switch (msg) {
    case WM_CREATE:
        w->hwnd = hwnd;
        create_children(w);
        SetTimer(hwnd, TIMER_ID, TIMER_MS, NULL);
        return 0;
    case WM_SIZE:
        layout(w);
        return 0;
    case WM_GETMINMAXINFO: {
        MINMAXINFO *mm = (MINMAXINFO *)lp;

        mm->ptMinTrackSize.x = px(w, 520);
        mm->ptMinTrackSize.y = px(w, 200);
        return 0;
    }
    case WM_TIMER:
        tick(w);
        return 0;
    case WM_HSCROLL:
        if ((HWND)lp == w->seek)
            on_scroll(w, wp);
        return 0;
    case WM_COMMAND:
        switch (LOWORD(wp)) {
        case IDC_OPEN:
            open_typed_name(w);
            break;
        case IDC_BROWSE:
            browse(w);
            break;
        case IDC_PLAY:
            toggle(w);
            break;
        case IDC_STOP:
            if (w->player)
                player_stop(w->player);
            update_buttons(w);
            break;
        case IDC_MEMBERS:
            if (HIWORD(wp) == CBN_SELCHANGE)
                member_chosen(w);
            break;
        default:
            break;
        }
        return 0;
    case WM_CLOSE:
        DestroyWindow(hwnd);
        return 0;
    case WM_DESTROY:
        KillTimer(hwnd, TIMER_ID);
        unload(w);
        PostQuitMessage(0);
        return 0;
    default:
        return DefWindowProcW(hwnd, msg, wp, lp);
    }
}

/* Keys for the whole window, before the focused control sees them. */
static int route_key(window *w, const MSG *msg)
{
    HWND focus = GetFocus();

    if (msg->message != WM_KEYDOWN)
        return 0;
    if (focus == w->name) {
        if (msg->wParam == VK_RETURN) {
            open_typed_name(w);
            return 1;
        }
        return 0;
    }
    if (focus == w->members &&
        SendMessageW(w->members, CB_GETDROPPEDSTATE, 0, 0))
        return 0;
    return apply_key(w, msg->wParam);
}

/* --trace: where each control is on the screen ("control NAME WxH+X+Y"),
 * for a test that clicks them and checks the layout. */
static void trace_controls(const window *w)
{
    const struct {
        const char *name;
        HWND hwnd;
    } c[] = { { "name_label", w->name_label }, { "name", w->name },
              { "open", w->open },             { "browse", w->browse },
              { "member_label", w->member_label },
              { "members", w->members },       { "play", w->play },
              { "stop", w->stop },             { "seek", w->seek },
              { "time", w->time },             { "message", w->message },
              { "status", w->status } };
    size_t i;
    RECT r;

    for (i = 0; i < sizeof c / sizeof c[0]; i++) {
        GetWindowRect(c[i].hwnd, &r); /* a drop-down list: without its list */
        trace(w, "control %s %ldx%ld+%ld+%ld", c[i].name,
              (long)(r.right - r.left), (long)(r.bottom - r.top),
              (long)r.left, (long)r.top);
    }
}

static HFONT message_font(void)
{
    NONCLIENTMETRICSW ncm;

    memset(&ncm, 0, sizeof ncm);
    ncm.cbSize = sizeof ncm;
    if (SystemParametersInfoW(SPI_GETNONCLIENTMETRICS, sizeof ncm, &ncm, 0))
        return CreateFontIndirectW(&ncm.lfMessageFont);
    return (HFONT)GetStockObject(DEFAULT_GUI_FONT);
}

int window_run(const zmmplay_options *o)
{
    window *w = &the_window;
    INITCOMMONCONTROLSEX icc;
    WNDCLASSEXW wc;
    MSG msg;
    HDC dc;
    RECT r;
    char err[1024];
    DWORD style = WS_OVERLAPPEDWINDOW;

    memset(w, 0, sizeof *w);
    w->device = o->device;
    w->trace = o->trace;
    w->last_state = PLAYER_STOPPED;

    if (dll_install(err, sizeof err) != 0) {
        wchar_t *text = text_wide_from_utf8(err);

        text_error("%s", err);
        if (!o->trace)
            MessageBoxW(NULL, text ? text : L"cannot load zmmio.dll",
                        L"zmmplay", MB_ICONERROR | MB_OK);
        free(text);
        return ZMMPLAY_EXIT_FAILED;
    }

    icc.dwSize = sizeof icc;
    icc.dwICC = ICC_BAR_CLASSES | ICC_STANDARD_CLASSES;
    InitCommonControlsEx(&icc);
    w->font = message_font();
    dc = GetDC(NULL);
    w->scale = GetDeviceCaps(dc, LOGPIXELSY) / 96.0;
    ReleaseDC(NULL, dc);
    if (w->scale < 1.0)
        w->scale = 1.0;

    memset(&wc, 0, sizeof wc);
    wc.cbSize = sizeof wc;
    wc.lpfnWndProc = window_proc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.hIcon = LoadIconW(wc.hInstance, MAKEINTRESOURCEW(1));
    if (!wc.hIcon)
        wc.hIcon = LoadIconW(NULL, (LPCWSTR)IDI_APPLICATION);
    wc.hCursor = LoadCursorW(NULL, (LPCWSTR)IDC_ARROW);
    wc.hbrBackground = (HBRUSH)(COLOR_BTNFACE + 1);
    wc.lpszClassName = L"zmmplay";
    RegisterClassExW(&wc);

    r.left = r.top = 0;
    r.right = px(w, 640);
    r.bottom = px(w, 180);
    AdjustWindowRectEx(&r, style, FALSE, 0);
    if (!CreateWindowExW(0, L"zmmplay", L"zmmplay", style, CW_USEDEFAULT,
                         CW_USEDEFAULT, r.right - r.left, r.bottom - r.top,
                         NULL, NULL, wc.hInstance, NULL)) {
        text_error("cannot create the window (error %lu)",
                   (unsigned long)GetLastError());
        dll_uninstall();
        return ZMMPLAY_EXIT_FAILED;
    }
    ShowWindow(w->hwnd, SW_SHOWNORMAL);
    UpdateWindow(w->hwnd);
    GetClientRect(w->hwnd, &r);
    {
        RECT outer;

        GetWindowRect(w->hwnd, &outer);
        trace(w, "window %ldx%ld, on screen %ldx%ld+%ld+%ld", (long)r.right,
              (long)r.bottom, (long)(outer.right - outer.left),
              (long)(outer.bottom - outer.top), (long)outer.left,
              (long)outer.top);
    }

    trace_controls(w);

    if (o->name) {
        set_text(w->name, o->name);
        load(w, o->name, 1);
        if (w->player && o->start > 0)
            seek_to(w, 0, (DWORD)(o->start * w->src.wav.rate + 0.5));
    } else {
        SetFocus(w->name);
    }

    while (GetMessageW(&msg, NULL, 0, 0) > 0) {
        if (route_key(w, &msg))
            continue;
        if (IsDialogMessageW(w->hwnd, &msg))
            continue;
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    trace(w, "closed");
    dll_uninstall();
    if (w->font)
        DeleteObject(w->font);
    return ZMMPLAY_EXIT_OK;
}
