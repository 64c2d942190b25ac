"""`plain` must leave no way for scenario or trainee text to format, link or inject HTML."""

import html
import re

import pytest

from optrain.ui.text import ELLIPSIS, MARKDOWN_CHARACTERS, label, plain

ESCAPED_OR_ENTITY = re.compile(r"\\.|&(?:amp|lt|gt);", re.DOTALL)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def unescape(markdown: str) -> str:
    """What a Markdown renderer shows for `plain`'s output, when nothing in it is syntax."""
    text = markdown.replace("  \n", "\n").replace("\u00a0", " ")
    return html.unescape(re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL))


def assert_inert(markdown: str) -> None:
    """Every Markdown or HTML character is escaped; nothing raw is left to parse."""
    bare = ESCAPED_OR_ENTITY.sub("", markdown)
    raw = sorted({c for c in bare if c in MARKDOWN_CHARACTERS or c in "<>&"})
    assert raw == [], f"unescaped {raw} in {markdown[:200]!r}"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", markdown)
    assert not any(c in markdown for c in BIDI)
    assert not re.search(r"^( {4}|\t)", markdown, re.MULTILINE), "an indented line would render as code"


HOSTILE = [
    "[click here](javascript:alert(1))",
    "![tracker](https://evil.example/pixel.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(document.cookie)>",
    "**bold** and __bold__ and *it* and _it_ and ~~gone~~",
    "`code` and ```fenced```",
    "# Heading\n## Sub\n> quote\n- item\n+ item\n* item\n1. item\n2) item",
    "Title\n=====\nOther\n-----\n***",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    ":red[alarm] :material/home: $x^2$ and $$\\int$$",
    "&lt;script&gt; &amp; &#60;b&#62;",
    "<https://evil.example> and [ref]\n\n[ref]: https://evil.example",
    "back\\slash \\*not bold\\*",
    "    indented code\n\tand a tab",
    "[^1] footnote\n\n[^1]: note",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_comes_out_inert_and_reads_the_same(text):
    out = plain(text)
    assert_inert(out)
    assert unescape(out) == text.replace("\t", "    ")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("order \u202e0190-RH#\u202c ok", "order [U+202E]0190-RH#[U+202C] ok"),
        (
            "\u2066isolate\u2069 \u2067rtl\u2069 \u2068first\u2069",
            "[U+2066]isolate[U+2069] [U+2067]rtl[U+2069] [U+2068]first[U+2069]",
        ),
        ("gnp.exe\u202e", "gnp.exe[U+202E]"),
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 esc\x1b[31m red", "bell esc[31m red"),
        ("del\x7f", "del"),
        ("tab\tkept", "tab\tkept"),
        ("windows\r\nline\rold mac", "windows\nline\nold mac"),
    ],
)
def test_control_characters_are_removed_and_bidi_controls_shown(text, shown):
    out = plain(text)
    assert_inert(out)
    assert unescape(out) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order? It was due Friday",
        "Hi Alex Rivera, thanks for waiting",
        "Carburetor for a 1969 Camaro SS 396",
        "Ça marche, merci — 你好 👍",
    ],
)
def test_ordinary_text_reads_the_same(text):
    assert plain(text) == text


def test_newlines_become_hard_line_breaks():
    assert plain("line one\nline two\n\nnew paragraph") == "line one  \nline two  \n  \nnew paragraph"


def test_a_hundred_thousand_characters_stay_inert():
    text = ("<script>**[x](y)**</script>\x00\u202e" * 4000)[:100_000]
    out = plain(text)
    assert_inert(out)
    assert unescape(out) == text.replace("\x00", "").replace("\u202e", "[U+202E]")


@pytest.mark.parametrize(
    ("text", "max_length", "shown"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("eleven char", 10, "eleven ch" + ELLIPSIS),
        ("trailing   spaces here", 12, "trailing" + ELLIPSIS),
        ("<b>" * 10, 4, "<b>" + ELLIPSIS),
        ("x" * 100_000, 200, "x" * 199 + ELLIPSIS),
    ],
)
def test_truncation_counts_characters_as_read(text, max_length, shown):
    out = plain(text, max_length)
    assert_inert(out)
    assert unescape(out) == shown
    assert len(unescape(out)) <= max_length


@pytest.mark.parametrize("max_length", [0, -5])
def test_a_max_length_below_one_is_refused(max_length):
    with pytest.raises(ValueError, match="max_length must be at least 1"):
        plain("text", max_length)


@pytest.mark.parametrize(
    "text",
    [
        "How ready do you feel to work the live dashboard? (1 = not yet, 5 = ready)",
        "What confused you most - the SLA badge, or the heatmap?",
        "Ça marche, merci",
    ],
)
def test_a_label_without_markdown_stays_as_written_for_screen_readers(text):
    assert label(text) == text


@pytest.mark.parametrize(
    "text", HOSTILE + ["see https://evil.example", "mail a@b.example", "rtl \u202egnp.exe", ":red[alarm]", "x_y_z"]
)
def test_a_label_with_markdown_is_plain_text(text):
    assert label(text) == plain(text)
