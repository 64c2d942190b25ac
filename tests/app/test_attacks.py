"""Attacks: reaching pages a role may not see, reading another trainee's work, hostile text,
hostile uploads and hostile scenario files.

Hostile text must come out inert: every Markdown-rendered string that carries
it goes through `optrain.ui.text.plain` (so its characters are escaped) or
sits in a dataframe cell, which Streamlit never renders as Markdown or HTML.
"""

from __future__ import annotations

import builtins
import io
import os
import pathlib
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
import yaml
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from optrain import accounts, qa_capture, storage, training
from optrain.certificates import render_pdf
from optrain.dashboard import build_dashboard
from optrain.errors import AttemptError, UploadError
from optrain.queue import generate_queue
from optrain.scenarios.loader import (
    ScenarioFileError,
    load_scenario_file,
    parse_scenario_text,
)
from optrain.storage.certificates import CertificateRow, put_certificate
from optrain.storage.scenario_store import latest_custom
from optrain.text_safety import visible_bidi
from optrain.uploads import MAX_SCREENSHOT_BYTES, image_type, store_screenshot

from .harness import (
    APP,
    NO_ACCESS,
    ROOT,
    START,
    TIMEOUT,
    Env,
    Seed,
    TrainSteps,
    expected_calls,
    operator,
    sign_in,
    texts,
)

STAFF_PAGES = {
    "review": "app_pages/review.py",
    "qa": "app_pages/qa_browser.py",
    "exports": "app_pages/exports.py",
    "studio": "app_pages/studio.py",
}
NO_ACCESS_MESSAGE = "You do not have access to this page. Ask an admin for the role it needs."
ALEX, JORDAN = "alex_rivera_sla", "jordan_lee_refund"
VISIBLE = 0  # LabelVisibility.VISIBLE: a collapsed or hidden label is never drawn
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64

# ---------------------------------------------------------------- hostile text

HOSTILE = (
    "**pwned** <script>pwned()</script> <img src=x onerror=pwned()> [pwned](javascript:pwned()) "
    ":red[pwned] $pwned$ \u202epwned\u202c \x1b[31mpwned\x07"
)
# Any of these in a rendered string means hostile text reached Markdown or HTML unescaped.
RAW = re.compile(r"<script|<img|\*\*pwned|\[pwned\]|javascript:|:red\[pwned|(?<!\\)\$pwned|[\u202e\x1b\x07]")


def shown(at: AppTest) -> list[str]:
    """Every string the app hands to Streamlit's Markdown renderer (or to st.html), main area and sidebar."""
    out = texts(
        [
            *at.markdown,
            *at.caption,
            *at.title,
            *at.header,
            *at.subheader,
            *at.error,
            *at.warning,
            *at.info,
            *at.success,
            *at.toast,
        ]
    )
    for widget in (
        *at.button,
        *at.radio,
        *at.checkbox,
        *at.toggle,
        *at.selectbox,
        *at.multiselect,
        *at.text_area,
        *at.text_input,
        *at.metric,
        *at.download_button,
    ):
        visibility = getattr(widget.proto, "label_visibility", None)
        if visibility is None or visibility.value == VISIBLE:
            out.append(str(widget.proto.label))
    out += [str(block.label) for block in at.expander]
    out += [str(tab.label) for tab in at.tabs]
    out += [str(option) for radio in at.radio for option in radio.options]
    return out


def leaks(at: AppTest) -> list[str]:
    """Rendered strings that carry hostile text unescaped; st.html (the cookie scripts) must not carry it at all."""
    return [t[:160] for t in shown(at) if RAW.search(t)] + [h for h in texts(at.html) if "pwned" in h]


def assert_inert(at: AppTest, where: str) -> None:
    assert not at.exception, where
    assert leaks(at) == [], where
    assert any("pwned" in t for t in shown(at)), f"{where}: the hostile text should be on screen, escaped"


def hostile_scenario(scenario_id: str = "hostile") -> dict[str, Any]:
    """A valid scenario with hostile text in every field a trainee or trainer reads."""
    short = HOSTILE[:150]
    return {
        "id": scenario_id,
        "title": f"Title {short}",
        "version": 1,
        "module": "cx_escalations",
        "difficulty": "beginner",
        "feedback_mode": "coach",
        "briefing": f"## Briefing\n\n{HOSTILE}\n\nOrder <b>#HR-1</b> ships today.",
        "templates": [{"id": "hostile_tpl", "title": f"Template {short}", "body": f"Hi {{{{name}}}}, {HOSTILE}"}],
        "dashboard": {"cx_escalations": {"status": "error", "error": f"Chatwoot {short}"}},
        "queue": [
            {
                "kind": "conversation",
                "id": "hostile_chat",
                "title": f"Chat {short}",
                "customer": {"name": f"Cu {short}", "vip": True},
                "labels": ["**pwned**", "<script>"],
                "messages": [{"text": f"Message {HOSTILE}", "minutes_ago": 30}],
                "order": {"id": f"#HR-{short}", "value": 120.0, "part": f"Part {short}"},
                "ai_draft": f"Draft {HOSTILE}",
                "expected": {"call": "approve_template", "template": "ack_delay"},
                "rationale": f"Rationale {HOSTILE}",
                "rule": "shipping_delay",
            },
            {
                "kind": "inventory",
                "id": "hostile_sku",
                "title": f"Stock {short}",
                "sku": f"SKU-{short}",
                "product": f"Product {short}",
                "units": 3,
                "days_of_cover": 2,
                "note": f"Note {HOSTILE}",
                "expected": {"call": "reorder"},
                "rationale": f"Rationale {HOSTILE}",
                "rule": "low_cover_reorder",
            },
            {
                "kind": "tile",
                "id": "hostile_tile",
                "tile": "cx_escalations",
                "state": "error",
                "message": f"Tile {HOSTILE}",
                "expected": {"call": "file_ticket"},
                "rationale": f"Rationale {HOSTILE}",
                "rule": "tile_integration_error",
            },
        ],
        "questions": [{"id": "hostile_q", "text": f"Question {HOSTILE}", "part": "cx_escalations"}],
    }


def scenarios_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any]) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / f"{scenario['id']}.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("OPTRAIN_SCENARIOS", str(folder))
    return path


def test_hostile_scenario_text_is_inert_for_the_trainee_from_catalog_to_results(
    app,
    env: Env,
    seed: Seed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    train: TrainSteps,
) -> None:
    scenarios_folder(tmp_path, monkeypatch, hostile_scenario())
    at = app("trainee", "train")
    assert_inert(at, "catalog")
    at.button(key="open_hostile").click().run()
    # The briefing is Markdown by design (docs/scenario-format.md), never HTML, and without
    # characters that reorder or hide what the trainee reads.
    (briefing,) = [m for m in at.markdown if m.value.startswith("## Briefing")]
    assert not briefing.proto.allow_html
    assert not re.search("[\u202e\x1b\x07]", briefing.value)
    assert leaks(at) == [briefing.value[:160]]
    at.button(key="start_shift").click().run()
    attempt_id = int(at.query_params["attempt"])
    for item_id in ("hostile_sku", "hostile_tile", "hostile_chat"):
        train.pick(at, attempt_id, item_id)
        assert_inert(at, item_id)
    train.prepare(at, attempt_id, "hostile_chat", "approve_template", "hostile_tpl")
    train.submit(at, attempt_id, "hostile_chat")
    assert texts(at.toast) and "Reply sent to" in texts(at.toast)[0]
    assert_inert(at, "after a call")
    seed.decide(attempt_id, {"hostile_sku": ("reorder", None), "hostile_tile": ("file_ticket", None)})
    at.run()
    at.button(key="finish").click().run()
    assert_inert(at, "results and Q&A")
    # Collapsed labels are not drawn, but they are still Markdown (and the accessible name): plain text too.
    labels = [str(w.proto.label) for w in (*at.text_area, *at.radio) if str(w.key).startswith(f"qa_{attempt_id}_")]
    assert labels and not [label for label in labels if RAW.search(label)]


def test_a_briefing_keeps_its_formatting_but_loads_and_links_nothing_foreign(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = hostile_scenario()
    scenario["briefing"] = (
        "## Briefing\n\n**Refunds** over $500 go to a *manager*:\n\n- check `order_id`\n- read the "
        "[refund policy](https://help.hotrodan.example/refunds)\n\n![tracker](https://evil.example/pixel.png)\n"
        "[Session expired: sign in again here](https://evil.example/login) or visit https://evil.example/x, "
        "www.evil.example or mail phish@evil.example\n\n<img src=https://evil.example/i.png>"
    )
    scenarios_folder(tmp_path, monkeypatch, scenario)
    at = app("trainee", "train")
    at.button(key="open_hostile").click().run()
    assert not at.exception
    (briefing,) = [m.value for m in at.markdown if m.value.startswith("## Briefing")]
    assert "**Refunds** over \\$500 go to a *manager*" in briefing
    assert "- check `order_id`" in briefing
    assert "[refund policy](https://help.hotrodan.example/refunds)" in briefing, "allow-listed links stay links"
    assert "](https://evil" not in briefing and "<img" not in briefing and "![" not in briefing
    rest = briefing.replace("(https://help.hotrodan.example/refunds)", "")
    assert not re.search(r"(?<!\\)https?:|(?<!\\)www\.|(?<!\\)@", rest), "no bare address left to autolink"
    assert "Session expired: sign in again here (https\\://evil\\.example/login)" in briefing


def test_hostile_scenario_text_is_inert_for_trainers(
    app, env: Env, seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = scenarios_folder(tmp_path, monkeypatch, hostile_scenario())
    attempt_id = seed.finished("trainee", scenario_id="hostile")
    catalog = app("trainer", "train")
    assert_inert(catalog, "trainer catalog")

    review = app("trainer", "review")
    review.selectbox(key="review_pick").set_value(attempt_id).run()
    assert not leaks(review)
    assert not review.exception

    studio = app("trainer")
    studio.switch_page(STAFF_PAGES["studio"]).run()
    pasted = path.read_text(encoding="utf-8").replace("id: hostile", "id: pasted")
    studio.text_area(key="studio_text").set_value(pasted).run()
    assert texts(studio.success) and "Valid" in texts(studio.success)[0]
    assert_inert(studio, "studio preview")


# ---------------------------------------------------------------- hostile text typed by people


def hostile_accounts_file(env: Env, name: str) -> None:
    config = accounts.read_config(env.auth_path)
    first, _, last = name.partition(" ")
    config["credentials"]["usernames"]["trainee"].update(first_name=first, last_name=last)
    accounts.write_config(env.auth_path, config)


@pytest.mark.parametrize("name", [HOSTILE, "Casey " + "M" * 100_000 + HOSTILE], ids=["markup", "100k-characters"])
def test_a_hostile_display_name_from_the_accounts_file_is_shown_inert(env: Env, name: str) -> None:
    hostile_accounts_file(env, name)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input("trainee")
    fields["Password"].input(next(a.password for a in accounts.DEMO_ACCOUNTS if a.username == "trainee"))
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert at.session_state["authentication_status"] is True
    assert_inert(at, "home and sidebar")


def test_hostile_replies_reasons_answers_and_observations_are_shown_inert(
    app, env: Env, seed: Seed, train: TrainSteps
) -> None:
    attempt_id = seed.start("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    train.decide(at, attempt_id, ALEX, "approve_template", "ack_delay", body=HOSTILE)
    train.decide(at, attempt_id, JORDAN, "escalate_manager", note=HOSTILE)
    for item_id in (ALEX, JORDAN):
        train.pick(at, attempt_id, item_id)
        assert not at.exception and leaks(at) == [], item_id

    scenario = seed.scenario()
    seed.decide(attempt_id, {k: v for k, v in expected_calls(scenario).items() if k not in (ALEX, JORDAN)})
    state = training.load_state(seed.db, scenario, attempt_id, "trainee")
    training.finish(seed.db, state, now=START + timedelta(hours=1))
    text_question = next(q for q in scenario.questions if q.kind == "text")
    qa_capture.save_qa(
        seed.db,
        scenario,
        state.attempt,
        [qa_capture.AnswerInput(text_question.id, HOSTILE)],
        uploads_dir=env.uploads,
        now=START + timedelta(hours=1),
    )
    storage.add_note(
        seed.db,
        attempt_id=attempt_id,
        item_id=ALEX,
        tag="other",
        note=HOSTILE,
        trainer="trainer",
        now=START + timedelta(hours=2),
    )

    review = app("trainer", "review")
    review.selectbox(key="review_pick").set_value(attempt_id).run()
    assert not review.exception and not leaks(review)
    cells = [str(v) for d in review.dataframe for v in d.value.to_numpy().ravel()]
    shown_as = visible_bidi(HOSTILE)
    assert "[U+202E]" in shown_as and "\u202e" not in shown_as
    assert cells.count(shown_as) >= 4, "reply, reason, answer and observation, each in a table cell, bidi shown"
    for role in ("trainer", "support"):
        qa = app(role)
        qa.switch_page(STAFF_PAGES["qa"]).run()
        assert not qa.exception and not leaks(qa)
        assert shown_as in [str(v) for d in qa.dataframe for v in d.value.to_numpy().ravel()]


def test_a_hundred_thousand_characters_are_refused_with_the_length_named(seed: Seed) -> None:
    scenario = seed.scenario()
    queue = generate_queue(scenario)
    length = 100_000
    huge = HOSTILE * (length // len(HOSTILE)) + "x" * (length % len(HOSTILE))
    reply = training.check_call(scenario, queue, training.CallInput(ALEX, "approve_template", "ack_delay", huge))
    reason = training.check_call(scenario, queue, training.CallInput(JORDAN, "escalate_manager", note=huge))
    question = next(q for q in scenario.questions if q.kind == "text")
    answer = qa_capture.check_answer(question, qa_capture.AnswerInput(question.id, huge))
    assert reply == [f"The reply is {length:,} characters; keep it under {training.MAX_BODY_CHARS:,}."]
    assert reason == [f"The note is {length:,} characters; keep it under {training.MAX_NOTE_CHARS:,}."]
    assert answer == f"The answer is {length:,} characters; keep it under {qa_capture.MAX_ANSWER_CHARS:,}."


@pytest.mark.parametrize("folder", ["app_pages", "optrain/ui"])
def test_html_and_javascript_are_allowed_only_for_the_cookie_scripts(folder: str) -> None:
    files = {p: p.read_text(encoding="utf-8") for p in (ROOT / folder).rglob("*.py")}
    files[ROOT / "streamlit_app.py"] = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    cookie_scripts = ROOT / "optrain" / "ui" / "auth.py"
    assert [p.name for p, text in files.items() if re.search(r"unsafe_allow_html\s*=\s*True", text)] == []
    assert [p.name for p, text in files.items() if "components.html" in text or "components.v1" in text] == []
    for marker in ("unsafe_allow_javascript", "st.html("):
        assert [p for p, text in files.items() if marker in text and p != cookie_scripts] == [], marker


def test_a_hostile_display_name_is_printed_as_plain_text_on_the_certificate() -> None:
    """The name is drawn as glyphs of the embedded font: PDF operators in it stay characters."""
    name = "Casey) Tj ET BT /F2 90 Tf 1 0 0 1 0 0 Tm (FORGED\\) \r\n" + HOSTILE
    forged = render_pdf(CertificateRow("OTS-AAAA-BBBB-CCCC", "trainee", name, START, {"hands_on": 1.0}, "0"))
    reader = PdfReader(io.BytesIO(forged))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "This certifies that Casey) Tj ET BT /F2 90 Tf 1 0 0 1 0 0 Tm (FORGED\\) **pwned** <script>" in text
    assert not re.search("[\x1b\x07\u202e]", text)  # escape codes and bidi overrides are not printed


# ---------------------------------------------------------------- pages a trainee may not see


def main_elements(at: AppTest) -> list[Any]:
    return [node for node in at.main if not isinstance(node, Block)]


def test_the_trainee_navigation_lists_only_the_trainee_pages(app, monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[tuple[Any, dict[str, Any]]] = []
    navigation = st.navigation

    def recording(pages: Any, **options: Any) -> Any:
        registered.append((pages, options))
        return navigation(pages, **options)

    monkeypatch.setattr(st, "navigation", recording)
    at = app("trainee")
    pages, options = registered[-1]
    listed = [page.title for section in pages.values() for page in section if page.visibility == "visible"]
    assert listed == ["Home", "Train", "My results"]
    hidden = {page.title for section in pages.values() for page in section if page.visibility == "hidden"}
    assert hidden == {"Home", "Review", "Q&A answers", "Scenario studio", "Exports", "Users"}, (
        "the root, and staff addresses as hidden stand-ins that say the page is not available"
    )
    assert options.get("position", "sidebar") != "hidden"
    assert [link for link in at.page_link] == []


# Widget state a crafted client could send for a staff page (buttons cannot be set this way).
def replayed_state(attempt_id: int) -> dict[str, Any]:
    return {
        "review_pick": attempt_id,
        "review_trainee": ["trainee"],
        "review_trend": "trainee",
        "items_scenario": "hands_on_practice",
        "items_all": True,
        f"note_text_{attempt_id}": "forged note",
        "qa_text": "heatmap",
        "studio_text": (ROOT / "fixtures/scenarios/valid/minimal.yaml").read_text(),
        "studio_download_pick": "hands_on_practice",
    }


@pytest.mark.parametrize("staff_page", list(STAFF_PAGES))
def test_a_staff_page_script_run_directly_shows_a_trainee_nothing_even_with_replayed_widget_state(
    env: Env,
    seed: Seed,
    staff_page: str,
) -> None:
    attempt_id = seed.finished("trainee")
    at = AppTest.from_file(ROOT / STAFF_PAGES[staff_page], default_timeout=TIMEOUT)
    sign_in(at, "trainee")
    for key, value in replayed_state(attempt_id).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert [getattr(e, "value", e.type) for e in main_elements(at)] == [NO_ACCESS_MESSAGE]
    assert NO_ACCESS in NO_ACCESS_MESSAGE
    assert not at.dataframe and not at.download_button and not at.text_area
    assert storage.list_notes(seed.db, attempt_id) == () and latest_custom(seed.db) == ()


def test_replayed_staff_widget_state_through_the_router_shows_a_trainee_nothing_of_it(env: Env, seed: Seed) -> None:
    attempt_id = seed.finished("trainee")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    sign_in(at, "trainee")
    for key, value in replayed_state(attempt_id).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert texts(at.title)[0].startswith("Welcome, ")
    assert not at.dataframe and not at.text_area and not at.selectbox
    assert not [t for t in shown(at) if "Observations" in t or "Scenario studio" in t or "Review" == t]
    assert storage.list_notes(seed.db, attempt_id) == ()


# ---------------------------------------------------------------- one trainee, another's work

SECRET_REPLY = "SECRET-REPLY-7731: your refund is approved"
SECRET_REASON = "SECRET-REASON-7731: regular customer"


def others_attempt(seed: Seed, finished: bool) -> int:
    """An attempt of `support` (who also trains) with words nobody else has typed."""
    scenario = seed.scenario()
    who = operator("support")
    attempt_id = seed.start("support")
    for _item_id, call in (
        (ALEX, training.CallInput(ALEX, "approve_template", "ack_delay", SECRET_REPLY)),
        (JORDAN, training.CallInput(JORDAN, "escalate_manager", note=SECRET_REASON)),
    ):
        state = training.load_state(seed.db, scenario, attempt_id, "support")
        training.record_call(seed.db, state, who, call, now=START, elapsed_seconds=1.0)
    if finished:
        rest = {k: v for k, v in expected_calls(scenario).items() if k not in (ALEX, JORDAN)}
        seed.decide(attempt_id, rest, username="support")
        training.finish(seed.db, training.load_state(seed.db, scenario, attempt_id, "support"), now=START)
    return attempt_id


@pytest.mark.parametrize("finished", [False, True], ids=["in-progress", "finished"])
def test_another_trainees_attempt_by_url_shows_none_of_it(app, seed: Seed, finished: bool) -> None:
    attempt_id = others_attempt(seed, finished)
    at = app("trainee", "train", attempt=str(attempt_id))
    assert texts(at.error) == ["That attempt is not available to you."]
    everything = shown(at) + [str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()]
    assert not [t for t in everything if "SECRET" in t]
    assert not at.radio and not at.metric and not at.dataframe and not at.text_area
    with pytest.raises(AttemptError, match="belongs to someone else"):
        training.load_state(seed.db, seed.scenario(), attempt_id, "trainee")


def test_my_results_home_and_certificate_show_only_ones_own(app, seed: Seed) -> None:
    seed.finished("trainee")
    seed.finished("support")
    seed.finished("support")
    seed.start("support")
    put_certificate(
        seed.db, CertificateRow("OTS-SECR-ET00-0001", "support", "Sam Patel", START, {"hands_on": 1.0}, "0" * 64)
    )
    results = app("trainee", "my_results")
    metrics = {m.label: m.value for m in results.metric}
    assert (metrics["Completed attempts"], metrics["In progress"]) == ("1", "0")
    (best,) = [d.value for d in results.dataframe if "Attempts" in d.value.columns]
    assert list(best["Attempts"]) == [1]
    assert not results.download_button
    assert not [t for t in shown(results) if "OTS-SECR" in t]

    home = app("trainee")
    assert {m.label: m.value for m in home.metric}["Attempts"] == "1"
    assert not [b for b in home.button if b.key == "home_resume"]


# ---------------------------------------------------------------- uploads

STORED_NAME = re.compile(r"[a-z0-9_-]+_[0-9a-f]{16}\.(png|jpg)")


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"GIF89a\x01\x00\x01\x00",
        b"%PDF-1.7\n",
        b"\xef\xbb\xbf\x89PNG\r\n\x1a\n",
        b" " + PNG,
        b"\x89PNG\r\n",
        PNG + b"\x00" * MAX_SCREENSHOT_BYTES,
        b"",
    ],
    ids=[
        "html",
        "svg-with-declaration",
        "svg",
        "gif",
        "pdf",
        "png-after-bom",
        "png-after-space",
        "cut-signature",
        "png-over-the-limit",
        "empty",
    ],
)
def test_only_png_and_jpeg_within_the_limit_are_accepted_judged_by_content(data: bytes) -> None:
    with pytest.raises(UploadError):
        image_type(data)


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "png"), (JPEG, "jpg"), (PNG + b"\x00" * (MAX_SCREENSHOT_BYTES - len(PNG)), "png")],
    ids=["png", "jpeg", "png-at-the-limit"],
)
def test_png_and_jpeg_are_accepted_whatever_their_name(data: bytes, kind: str) -> None:
    assert image_type(data) == kind


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "prefix",
    [
        "qa12-what_is_confusing",
        "../../../etc/cron.d/evil",
        "/etc/passwd",
        "..",
        "",
        "C:\\Windows\\win.ini",
        "Évil٣ｆｕｌｌ",
        "a/" * 200,
        "shot\x00.png",
    ],
)
def test_stored_screenshots_get_names_the_app_picks_inside_the_uploads_folder(tmp_path: Path, prefix: str) -> None:
    folder = tmp_path / "uploads"
    before = files_under(tmp_path)
    name = store_screenshot(folder, JPEG, prefix=prefix)
    assert STORED_NAME.fullmatch(name), name
    assert files_under(tmp_path) - before == {folder / name}
    assert (folder / name).resolve().parent == folder.resolve()


def test_a_screenshot_upload_is_judged_by_content_and_its_name_never_reaches_the_disk(
    app, env: Env, seed: Seed, tmp_path: Path
) -> None:
    attempt_id = seed.finished("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    before = files_under(tmp_path)

    def submit(name: str, data: bytes) -> None:
        at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours")
        at.file_uploader(key=f"qa_{attempt_id}_shot").upload(name, data, "image/png")
        next(b for b in at.button if b.label == "Submit answers").click().run()

    submit("heatmap.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    assert not at.exception
    assert any("Nothing was saved" in e and "not a PNG or JPEG" in e for e in texts(at.error))
    assert storage.list_answers(env.db(), attempt_id=attempt_id) == ()
    assert files_under(tmp_path) == before

    submit("../../../outside/evil.png", PNG)
    assert not at.exception and not at.error
    (stored,) = [a.screenshot for a in storage.list_answers(env.db(), attempt_id=attempt_id) if a.screenshot]
    assert STORED_NAME.fullmatch(stored) and "evil" not in stored
    assert files_under(tmp_path) - before == {env.uploads / stored}


def test_a_forged_upload_of_a_type_the_widget_does_not_take_is_refused_before_the_page_runs(
    app,
    env: Env,
    seed: Seed,
    tmp_path: Path,
) -> None:
    """Streamlit checks the name against the widget's types; with error details off
    (.streamlit/config.toml) the trainee sees a generic message, no traceback."""
    attempt_id = seed.finished("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    before = files_under(tmp_path)
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours")
    at.file_uploader(key=f"qa_{attempt_id}_shot").upload("heatmap.svg", PNG, "image/svg+xml")
    next(b for b in at.button if b.label == "Submit answers").click().run()
    (refused,) = at.exception
    assert "redacted" in refused.message and "Traceback" not in refused.message and not refused.stack_trace
    assert storage.list_answers(env.db(), attempt_id=attempt_id) == ()
    assert files_under(tmp_path) == before


# ---------------------------------------------------------------- hostile scenario files

PATH_LIKE = ("../../etc/passwd", "/etc/passwd", "file:///etc/shadow", "~/.ssh/id_rsa", "..\\..\\windows\\win.ini")
FORBIDDEN = re.compile(r"passwd|shadow|id_rsa|win\.ini")


def path_like_scenario() -> dict[str, Any]:
    """Every free-text field holds something that looks like a path; none of them is one."""
    scenario = hostile_scenario("path_like")
    text = " ".join(PATH_LIKE)
    scenario.update(title=f"Path {PATH_LIKE[0]}", briefing=f"![x]({PATH_LIKE[1]}) [y]({PATH_LIKE[2]}) {text}")
    scenario["templates"][0].update(title="Path template", body=f"Hi {{{{name}}}}, {text}")
    scenario["dashboard"]["cx_escalations"]["error"] = PATH_LIKE[1]
    chat, sku, tile = scenario["queue"]
    chat.update(
        title=PATH_LIKE[0],
        customer={"name": PATH_LIKE[1], "email": PATH_LIKE[3]},
        labels=list(PATH_LIKE[:2]),
        messages=[{"text": text}],
        ai_draft=text,
        rationale=text,
        order={"id": PATH_LIKE[0], "tracking_number": PATH_LIKE[1], "carrier": PATH_LIKE[2], "part": PATH_LIKE[4]},
    )
    sku.update(title=PATH_LIKE[0], sku=PATH_LIKE[1], product=PATH_LIKE[2], note=text, rationale=text)
    tile.update(message=text, rationale=text)
    scenario["questions"][0]["text"] = text
    return scenario


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path opened from Python while the test runs (builtins, io, pathlib and os)."""
    seen: list[str] = []

    def recorder(real: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any, **kwargs: Any) -> Any:
            target = args[0] if args else kwargs.get("file", kwargs.get("path"))
            seen.append(os.fspath(target) if isinstance(target, (str, bytes, os.PathLike)) else repr(target))
            return real(*args, **kwargs)

        return record

    monkeypatch.setattr(builtins, "open", recorder(builtins.open))
    monkeypatch.setattr(io, "open", recorder(io.open))
    monkeypatch.setattr(os, "open", recorder(os.open))
    monkeypatch.setattr(pathlib.Path, "open", recorder(pathlib.Path.open))
    return seen


def test_path_like_values_in_a_scenario_are_only_text(
    app, env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, train: TrainSteps, opened: list[str]
) -> None:
    path = scenarios_folder(tmp_path, monkeypatch, path_like_scenario())
    scenario = load_scenario_file(path)
    queue = generate_queue(scenario)
    build_dashboard(scenario, queue)
    training.prefill_reply(scenario, queue, "hostile_chat", "hostile_tpl", "Casey")
    at = app("trainee", "train")
    at.button(key="open_path_like").click().run()
    at.button(key="start_shift").click().run()
    attempt_id = int(at.query_params["attempt"])
    for item_id in ("hostile_sku", "hostile_tile", "hostile_chat"):
        train.pick(at, attempt_id, item_id)
    train.prepare(at, attempt_id, "hostile_chat", "approve_template", "hostile_tpl")
    train.submit(at, attempt_id, "hostile_chat")
    assert not at.exception and "Reply sent to" in texts(at.toast)[0]
    assert str(path) in opened, "the recorder must see the scenario file being read"
    assert [p for p in opened if FORBIDDEN.search(p)] == []
    written = files_under(tmp_path)
    assert [p for p in written if FORBIDDEN.search(str(p))] == []


OBJECT_TAGS = [
    ("!!python/object/apply:os.system ['touch {marker}']", "!!python/object/apply:os.system"),
    ("!!python/object/new:subprocess.Popen [['touch', '{marker}']]", "!!python/object/new:subprocess.Popen"),
    ("!!python/name:os.system", "!!python/name:os.system"),
    ("!!python/module:os", "!!python/module:os"),
    ("!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']", "!!python/object/apply:os.system"),
]
MINIMAL_SCENARIO = (ROOT / "fixtures" / "scenarios" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
BRIEFING_LINE = "briefing: A customer asks where their order is. Nothing has shipped yet."


@pytest.mark.parametrize(("tagged", "shown_as"), OBJECT_TAGS, ids=[t[1].removeprefix("!!") for t in OBJECT_TAGS])
def test_yaml_tags_that_build_objects_are_refused_and_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tagged: str, shown_as: str
) -> None:
    marker = tmp_path / "ran"
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    text = MINIMAL_SCENARIO.replace(BRIEFING_LINE, "briefing: " + tagged.format(marker=marker))
    with pytest.raises(ScenarioFileError) as refused:
        parse_scenario_text(text, "tagged.yaml")
    assert [p.message for p in refused.value.problems] == [
        f"the YAML tag {shown_as} is not allowed; scenario files hold plain data only"
    ]
    assert calls == [] and not marker.exists()


def test_a_binary_tag_is_plain_data() -> None:
    text = MINIMAL_SCENARIO.replace(BRIEFING_LINE, "briefing: !!binary Tm90aGluZyBoYXMgc2hpcHBlZCB5ZXQu")
    assert parse_scenario_text(text, "binary.yaml").briefing == "Nothing has shipped yet."


def test_the_studio_refuses_an_object_tag_with_the_loaders_message_and_saves_nothing(
    app, env: Env, seed: Seed, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    at = app("trainer")
    at.switch_page(STAFF_PAGES["studio"]).run()
    tagged = MINIMAL_SCENARIO.replace(BRIEFING_LINE, f"briefing: !!python/object/apply:os.system ['touch {marker}']")
    at.text_area(key="studio_text").set_value(tagged.replace("id: minimal", "id: tagged")).run()
    assert not at.exception
    assert "1 problem(s) to fix:" in texts(at.error)
    assert any("the YAML tag \\!\\!python/object/apply\\:os\\.system is not allowed" in m for m in texts(at.markdown))
    assert not [b for b in at.button if b.key == "studio_save"]
    assert latest_custom(seed.db) == () and not marker.exists()
