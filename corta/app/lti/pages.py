"""The LTI tool's HTML: the launch page (opens the tutor in a new window), the learner's tutor page, the instructor's
link form, the deep-linking auto-post and the error page. Plain HTML and a little inline JavaScript (no CDN), under a
Content-Security-Policy whose frame-ancestors say which platforms may frame each page."""

import json
import secrets
from html import escape

from fastapi.responses import HTMLResponse

from corta.app.lti.course import TutorSettings
from corta.app.lti.deep_linking import SignedResponse
from corta.app.lti.sessions import LaunchSession
from corta.app.store import Message

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; color: #1d1d1f; }
label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
input[type=text], textarea, select { width: 100%; box-sizing: border-box; font: inherit; padding: .35rem; }
textarea { min-height: 4.5rem; } textarea.code { font-family: ui-monospace, monospace; }
button, .button { margin-top: .8rem; padding: .5rem 1rem; font: inherit; background: #1f5fbf; color: white;
  border: 0; border-radius: .3rem; text-decoration: none; display: inline-block; cursor: pointer; }
.turn { white-space: pre-wrap; padding: .6rem .8rem; margin: .5rem 0; border-radius: .4rem; }
.user { background: #eef3fb; } .assistant { background: #f4f4f4; } .error { background: #fdecea; }
.sources { font-size: .85rem; color: #555; margin-top: .4rem; } .muted { color: #666; }
"""

TUTOR_SCRIPT = """
const form = document.getElementById("ask"), log = document.getElementById("log");
function add(role, text, sources) {
  const turn = document.createElement("div");
  turn.className = "turn " + role;
  turn.textContent = text;
  if (sources && sources.length) {
    const list = document.createElement("div");
    list.className = "sources";
    list.textContent = "Sources: " + sources.map((s, i) => "[" + (i + 1) + "] " + s.path).join("; ");
    turn.appendChild(list);
  }
  log.appendChild(turn);
  turn.scrollIntoView();
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button"), body = {message: form.message.value, code: form.code.value};
  if (form.mode) body.mode = form.mode.value;
  add("user", body.message + (body.code ? "\\n\\n" + body.code : ""));
  button.disabled = true;
  try {
    const response = await fetch(form.dataset.ask, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const reply = await response.json();
    if (response.ok) { add("assistant", reply.answer, reply.sources); form.message.value = ""; }
    else add("error", reply.error.message);
  } catch (error) {
    add("error", "The tutor cannot be reached: " + error.message);
  } finally {
    button.disabled = false;
  }
});
"""


def error_page(status: int, sentence: str) -> HTMLResponse:
    """One sentence saying why the request was refused (frameable anywhere: it holds nothing to protect)."""
    body = f"<h1>corta cannot open this</h1><p>{escape(sentence)}</p>"
    return _page("corta: refused", body, status=status, frame_ancestors=["*"])


def launch_page(session: LaunchSession, tutor_url: str, frame_origins: list[str]) -> HTMLResponse:
    """The page the launch answers inside the platform: a button opening the tutor in its own window (LMS frames
    lose third-party cookies), which the page also tries to open by itself."""
    link = escape(tutor_url, quote=True)
    body = (
        f"<h1>{escape(session.title)}</h1>"
        f"<p>Molly, the Python tutor, opens in a new window{_mode_note(session)}.</p>"
        f'<p><a class="button" id="open" href="{link}" target="_blank" rel="noopener">Open Molly</a></p>'
        '<p class="muted">If no window opened, use the button: your browser may have blocked it.</p>'
    )
    script = f'window.open({_js_string(tutor_url)}, "_blank", "noopener");'
    return _page(session.title, body, frame_ancestors=frame_origins, script=script)


def tutor_page(
    session: LaunchSession, history: list[Message], ask_url: str, frame_origins: list[str]
) -> HTMLResponse:
    """The learner's chat with Molly: the conversation so far, a question box, pasted code and (unless the course is
    hint-only) the mode, each question posted to `ask_url`; frameable only by `frame_origins` (none unless the
    platform allows frames)."""
    turns = "".join(
        f'<div class="turn {escape(message.role)}">{escape(message.content)}</div>' for message in history
    )
    if session.settings.mode == "hint":
        mode = '<p class="muted">This course gives hints only, never a full solution.</p>'
    else:
        mode = (
            '<label for="mode">Mode</label><select id="mode" name="mode">'
            '<option value="explain">Explain</option><option value="hint">Hints only</option></select>'
        )
    greeting = f"Hello {escape(session.name)}! " if session.name else ""
    body = (
        f"<h1>{escape(session.title)}</h1>"
        f'<p class="muted">{greeting}{escape(session.course_title)}</p>'
        f'<div id="log">{turns}</div>'
        f'<form id="ask" data-ask="{escape(ask_url, quote=True)}">'
        '<label for="message">Your question</label><textarea id="message" name="message" required></textarea>'
        '<label for="code">Your code (optional)</label><textarea id="code" name="code" class="code"></textarea>'
        f'{mode}<button type="submit">Ask Molly</button></form>'
    )
    return _page(session.title, body, frame_ancestors=frame_origins, script=TUTOR_SCRIPT)


def deep_link_form(
    token: str, settings: TutorSettings, action: str, frame_origins: list[str]
) -> HTMLResponse:
    """The instructor's choice for a new link: title, tutor mode and knowledge base (prefilled with the course's)."""
    selected = {mode: " selected" if settings.mode == mode else "" for mode in ("explain", "hint")}
    body = (
        "<h1>Add Molly to your course</h1>"
        f'<form method="post" action="{escape(action, quote=True)}">'
        f'<input type="hidden" name="token" value="{escape(token, quote=True)}">'
        '<label for="title">Title</label>'
        '<input type="text" id="title" name="title" value="Molly, the Python tutor" maxlength="200" required>'
        '<label for="mode">Tutor mode</label><select id="mode" name="mode">'
        f'<option value="explain"{selected["explain"]}>Explain (learners may also ask for hints)</option>'
        f'<option value="hint"{selected["hint"]}>Hints only (never a full solution)</option></select>'
        '<label for="kb">Knowledge base</label>'
        f'<input type="text" id="kb" name="kb" value="{escape(settings.kb, quote=True)}" required>'
        '<label><input type="checkbox" name="course_default" value="on"> '
        "Also make these the course's defaults</label>"
        '<button type="submit">Add the link</button></form>'
    )
    return _page("Add Molly", body, frame_ancestors=frame_origins)


def auto_post_page(response: SignedResponse, frame_origins: list[str]) -> HTMLResponse:
    """The signed deep-linking response, posted back to the platform at once (a button if scripts are off)."""
    body = (
        f'<form id="back" method="post" action="{escape(response.return_url, quote=True)}">'
        f'<input type="hidden" name="JWT" value="{escape(response.jwt, quote=True)}">'
        '<p>Returning to your course…</p><noscript><button type="submit">Continue</button></noscript></form>'
    )
    script = 'document.getElementById("back").submit();'
    return _page("Returning to your course", body, frame_ancestors=frame_origins, script=script)


def _page(
    title: str, body: str, status: int = 200, frame_ancestors: list[str] | None = None, script: str = ""
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    script_tag = f'<script nonce="{nonce}">{script}</script>' if script else ""
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
        f"<body>{body}{script_tag}</body></html>"
    )
    ancestors = " ".join(frame_ancestors or []) or "'none'"
    policy = (
        f"default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; "
        f"form-action 'self' https: http:; base-uri 'none'; frame-ancestors {ancestors}"
    )
    headers = {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, status_code=status, headers=headers)


def _mode_note(session: LaunchSession) -> str:
    return " (hints only in this course)" if session.settings.mode == "hint" else ""


def _js_string(text: str) -> str:
    """`text` as a JavaScript string literal that is also safe inside a <script> element."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
