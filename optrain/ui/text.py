"""Text from scenarios and trainees, made inert before Streamlit reads it as Markdown.

`st.markdown`, `st.caption`, `st.warning`, `st.error` and `st.info` all parse
their body as GitHub-flavoured Markdown with Streamlit's own directives
(`:red[...]`, `$math$`), so a customer message such as `[click](http://x)` or
a scenario title with `**` would turn into a link or bold text, and a
right-to-left override could make a trainee read a different order id than
the one stored. `plain` keeps the words and drops every way to format them;
a bidirectional control is shown as `[U+202E]`. Trainer-written Markdown goes
through `trainer_markdown` (from `optrain.text_safety`) instead. This module
does not import streamlit, so it is cheap to test.
"""

from __future__ import annotations

import re

from optrain.text_safety import trainer_markdown, visible_bidi

__all__ = ["ELLIPSIS", "plain", "trainer_markdown", "visible_bidi"]

ELLIPSIS = "…"
# Every ASCII character that starts or closes Markdown syntax in CommonMark, GFM
# or Streamlit's directives (":" for `:red[...]`, "$" for math, "=" for setext headings, "@" for
# e-mail autolinks).
MARKDOWN_CHARACTERS = "\\`*_{}[]()#+-.!|~$=:@"
_ESCAPES: dict[int, str] = {ord(c): "\\" + c for c in MARKDOWN_CHARACTERS}
_ESCAPES.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
_REMOVED = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_LEADING_BLANKS = re.compile(r"^[ \t]+", re.MULTILINE)
HARD_BREAK = "  \n"


def plain(text: str, max_length: int | None = None) -> str:
    """`text` as Markdown that renders exactly those characters, on as many lines.

    Carriage returns become newlines and each newline a hard line break;
    leading spaces become no-break spaces so that an indented line is not a
    code block. With `max_length`, text longer than that many characters is
    cut and ends with an ellipsis (the length counts characters as read, not
    the escapes added).
    """
    if max_length is not None and max_length < 1:
        raise ValueError(f"max_length must be at least 1, not {max_length}")
    cleaned = visible_bidi(_REMOVED.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    if max_length is not None and len(cleaned) > max_length:
        cleaned = cleaned[: max(0, max_length - 1)].rstrip() + ELLIPSIS
    escaped = cleaned.translate(_ESCAPES)
    escaped = _LEADING_BLANKS.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    return escaped.replace("\n", HARD_BREAK)
