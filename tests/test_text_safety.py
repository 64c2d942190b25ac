"""Trainer-written Markdown keeps its formatting but loads, links and runs nothing; bidi controls show."""

from __future__ import annotations

import csv
import io

import pytest

from optrain.exports.csv_safety import SafeCsvWriter, neutralise
from optrain.text_safety import link_allowed, trainer_markdown, visible_bidi, visible_bidi_cells


@pytest.mark.parametrize(
    ("written", "rendered"),
    [
        ("**Refunds** over the limit go to a *manager*", "**Refunds** over the limit go to a *manager*"),
        ("## Your shift\n\n- first\n- second\n1. one", "## Your shift\n\n- first\n- second\n1. one"),
        ("> quoted **policy**", "> quoted **policy**"),
        ("use `https://x.example/<b>` as is", "use `https://x.example/<b>` as is"),
        (
            "```\n<img src=https://evil.example/p.png> ![x](y)\n```",
            "```\n<img src=https://evil.example/p.png> ![x](y)\n```",
        ),
        ("[policy](https://help.hotrodan.example/refunds)", "[policy](https://help.hotrodan.example/refunds)"),
        ("[policy](https://hotrodan.example)", "[policy](https://hotrodan.example)"),
    ],
)
def test_what_a_briefing_needs_is_kept(written: str, rendered: str) -> None:
    assert trainer_markdown(written) == rendered


@pytest.mark.parametrize(
    ("written", "rendered"),
    [
        ("![tracker](https://evil.example/p.png)", "\\[image\\: tracker\\]"),
        ("![](https://evil.example/p.png)", "\\[image\\]"),
        ("[sign in again](https://evil.example/login)", "sign in again (https\\://evil\\.example/login)"),
        ("[policy](http://help.hotrodan.example/x)", "policy (http\\://help\\.hotrodan\\.example/x)"),
        ("[x](https://hotrodan.example.evil.example/)", "x (https\\://hotrodan\\.example\\.evil\\.example/)"),
        ("[run](javascript:alert(1))", "run (javascript\\:alert\\(1))"),
        ("visit https://evil.example now", "visit https\\://evil\\.example now"),
        ("or www.evil.example", "or www\\.evil\\.example"),
        ("mail ann@evil.example", "mail ann\\@evil\\.example"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<https://evil.example>", "&lt;https\\://evil\\.example&gt;"),
        ("[ref]: https://evil.example", "\\[ref]: https\\://evil\\.example"),
        (":red[alarm] costs $5", "\\:red\\[alarm] costs \\$5"),
        ("rtl \u202egnp.exe", "rtl [U+202E]gnp.exe"),
        ("bell\x07", "bell"),
    ],
)
def test_what_would_load_link_or_run_is_shown_as_text(written: str, rendered: str) -> None:
    assert trainer_markdown(written) == rendered


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hotrodan.example/x", True),
        ("https://help.hotrodan.example", True),
        ("http://hotrodan.example", False),
        ("https://evilhotrodan.example", False),
        ("https://hotrodan.example@evil.example", False),
        ("javascript:alert(1)", False),
        ("https://[::1", False),
    ],
)
def test_only_https_links_to_allow_listed_hosts_are_allowed(url: str, allowed: bool) -> None:
    assert link_allowed(url) is allowed


def test_bidi_controls_are_shown_and_nothing_else_changes() -> None:
    assert visible_bidi("invoice\u202egnp.exe") == "invoice[U+202E]gnp.exe"
    assert visible_bidi("\u2066a\u2069\u200f") == "[U+2066]a[U+2069][U+200F]"
    assert visible_bidi("Ça marche 你好 👍") == "Ça marche 你好 👍"
    assert visible_bidi_cells([{"a": "x\u202ey", "n": 3, "z": None}]) == [{"a": "x[U+202E]y", "n": 3, "z": None}]


def test_exports_show_bidi_controls_and_still_neutralise_formulas() -> None:
    assert neutralise("\u202e=cmd") == "[U+202E]=cmd"
    assert neutralise("=1+1\u202e") == "'=1+1[U+202E]"
    buffer = io.StringIO(newline="")
    SafeCsvWriter(buffer).writerow(["photo\u202egnp.exe", -1, None])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["photo[U+202E]gnp.exe", "-1", ""]]
