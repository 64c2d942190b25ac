"""Text written by trainers and trainees, made safe to show: bidi controls made visible, Markdown limited.

Two jobs, both without streamlit so that exports and tests use them too:

- `visible_bidi` replaces each bidirectional control character (the
  embeddings, overrides and isolates, and the invisible direction marks) with
  a visible `[U+202E]`, so a right-to-left override cannot make `gnp.exe` read
  as `exe.png` in a staff table, a CSV file or a ticket.
- `trainer_markdown` is the one way trainer-written Markdown (a scenario's
  briefing) reaches the screen. It keeps what a briefing needs (emphasis,
  headings, lists, block quotes, inline code and code blocks) and turns
  everything else into visible text: raw HTML, images (which would make every
  trainee's browser fetch them), links whose address is not on the allow-list
  (written out instead, not clickable), bare web and e-mail addresses (which
  Markdown would turn into links), reference definitions, and Streamlit's
  `:color[...]` and `$math$` directives stay as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO), isolates (LRI, RLI, FSI, PDI), and the marks LRM, RLM, ALM.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# Other control characters (line breaks and tabs excepted), which a screen shows as nothing or garbage.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Links to these hosts (and their subdomains), over https, stay clickable in a briefing.
LINK_HOSTS: tuple[str, ...] = ("hotrodan.example",)


def visible_bidi(text: str) -> str:
    """`text` with every bidirectional control shown as `[U+XXXX]`; everything else unchanged."""
    if text.isascii():  # most cells: exports call this on every one
        return text
    return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def visible_bidi_cells(rows: Iterable[dict[str, object]]) -> list[dict[str, object]]:
    """Table rows with `visible_bidi` applied to every text cell (numbers and None pass through)."""
    return [{k: visible_bidi(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def link_allowed(url: str, hosts: Iterable[str] = LINK_HOSTS) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in hosts)


# Markdown's ASCII punctuation that a backslash makes literal.
def _literal(text: str) -> str:
    """`text` shown as typed: every Markdown-significant character escaped, `<`, `>`, `&` as entities."""
    out = re.sub(r"([\\`*_{}\[\]()#+\-.!|~$=:@])", r"\\\1", text)
    return out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_INLINE = re.compile(
    r"(?P<image>!\[(?P<alt>[^\]\n]*)\]\((?P<src>[^)\n]*)\))"
    r"|(?P<link>\[(?P<text>[^\]\n]*)\]\((?P<href><[^>\n]*>|[^)\s\n]*)(?P<title>\s+\"[^\"\n]*\")?\s*\))"
    r"|(?P<url>(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>]*)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<directive>:[a-zA-Z/_-]+(?:\[|:))"
    r"|(?P<special>[<>&$])"
)


def _inline(text: str, hosts: tuple[str, ...]) -> str:
    def replace(m: re.Match[str]) -> str:
        if m.group("image") is not None:
            alt = m.group("alt").strip()
            return _literal(f"[image: {alt}]" if alt else "[image]")
        if m.group("link") is not None:
            href = m.group("href").strip("<>")
            label = _inline(m.group("text"), hosts)
            if link_allowed(href, hosts) and label.strip():
                return f"[{label}]({href})"
            return f"{label} ({_literal(href)})" if href else label
        if m.group("directive") is not None:
            return _literal(m.group("directive"))
        return _literal(m.group(0))

    return _INLINE.sub(replace, text)


_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINE_START = re.compile(r"^(\s*)(\[[^\]\n]*\]:)")  # a reference definition: `[id]: https://...`
_QUOTE = re.compile(r"^(?: {0,3}> ?)+")  # block quote markers, kept
# Inline HTML inside a code span is shown literally by Markdown itself; outside it is escaped above.


def _line(line: str, hosts: tuple[str, ...]) -> str:
    quote = _QUOTE.match(line)
    if quote:
        return quote.group(0) + _line(line[quote.end() :], hosts)
    line = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
    parts: list[str] = []
    last = 0
    for m in _CODE_SPAN.finditer(line):
        parts.append(_inline(line[last : m.start()], hosts))
        parts.append(m.group(0))  # code is literal in Markdown: nothing inside it links, loads or formats
        last = m.end()
    parts.append(_inline(line[last:], hosts))
    return "".join(parts)


def trainer_markdown(text: str, hosts: tuple[str, ...] = LINK_HOSTS) -> str:
    """Markdown for `st.markdown` that formats like the author meant, but links only to allowed hosts,
    loads nothing and runs nothing."""
    text = _CONTROLS.sub("", visible_bidi(text.replace("\r\n", "\n").replace("\r", "\n")))
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if (
                opened
                and opened.group(1)[0] == fence[0]
                and len(opened.group(1)) >= len(fence)
                and not line.strip()[len(opened.group(1)) :].strip()
            ):
                fence = None
        elif opened:
            fence = opened.group(1)
            out.append(line)
        else:
            out.append(_line(line, hosts))
    return "\n".join(out)
