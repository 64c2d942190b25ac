"""Q&A after a shift: answers kept verbatim, shown to trainers as inert text, screenshots checked by content."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.ui.text import plain
from optrain.uploads import MAX_SCREENSHOT_BYTES

from .harness import Env, Seed, texts

HOSTILE = "<script>alert(1)</script> **bold** [click](javascript:alert(1)) :red[alarm] $x$\n# heading"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def qa_form(app, seed: Seed) -> tuple[AppTest, int]:
    """A finished attempt reopened from its URL: results, then the Q&A form."""
    attempt_id = seed.finished("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    assert at.text_area(key=f"qa_{attempt_id}_most_valuable_features")
    return at, attempt_id


def press(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception


def test_answer_is_saved_verbatim_and_shown_to_trainers_only_as_plain_text(app, env: Env, seed: Seed) -> None:
    at, attempt_id = qa_form(app, seed)
    at.text_area(key=f"qa_{attempt_id}_most_valuable_features").set_value(HOSTILE)
    at.radio(key=f"qa_{attempt_id}_ready_for_live").set_value("4")
    press(at, "Submit answers")
    saved = {a.question_id: a for a in storage.list_answers(env.db(), attempt_id=attempt_id)}
    assert saved["most_valuable_features"].answer == HOSTILE
    assert saved["ready_for_live"].answer == "4"
    assert saved["what_is_confusing"].skipped
    assert any("your feedback is saved (2 of 5" in s for s in texts(at.success))

    review = app("trainer", "review")
    review.selectbox(key="review_pick").set_value(attempt_id).run()
    assert not review.exception
    for page in (review, app("trainer", "qa"), app("support", "qa")):
        answers = next(d.value for d in page.dataframe if "Answer" in d.value.columns)
        assert HOSTILE in list(answers["Answer"])
        drawn = texts([*page.markdown, *page.caption, *page.html, *page.error, *page.info, *page.toast])
        assert not [t for t in drawn if "alert(1)" in t or "<script" in t]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"GIF89a not a png at all", "not a PNG or JPEG image"),
        ("huge.png", PNG + b"\x00" * (MAX_SCREENSHOT_BYTES + 1024 * 1024), "(2 MB)"),
    ],
    ids=["not-an-image", "too-large"],
)
def test_bad_screenshot_is_refused_and_nothing_is_saved(
    app, env: Env, seed: Seed, name: str, data: bytes, message: str
) -> None:
    at, attempt_id = qa_form(app, seed)
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours")
    at.file_uploader(key=f"qa_{attempt_id}_shot").upload(name, data, "image/png")
    press(at, "Submit answers")
    # The message can name a question, which is scenario text: it is shown as plain text.
    assert any(e.startswith(plain("Nothing was saved:")) and plain(message) in e for e in texts(at.error))
    assert storage.list_answers(env.db(), attempt_id=attempt_id) == ()
    assert not env.uploads.exists() or not any(env.uploads.iterdir())


def test_screenshot_is_stored_under_a_name_the_app_picks(app, env: Env, seed: Seed) -> None:
    at, attempt_id = qa_form(app, seed)
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours")
    at.file_uploader(key=f"qa_{attempt_id}_shot").upload("../../evil name.png", PNG, "image/png")
    press(at, "Submit answers")
    assert not at.error
    (answer,) = [a for a in storage.list_answers(env.db(), attempt_id=attempt_id) if a.screenshot]
    assert answer.question_id == "what_is_confusing" and answer.screenshot is not None
    assert (env.uploads / answer.screenshot).read_bytes() == PNG
    assert "evil" not in answer.screenshot


def test_skipping_qa_records_every_question_as_skipped(app, env: Env, seed: Seed) -> None:
    at, attempt_id = qa_form(app, seed)
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("typed, then skipped")
    press(at, "Skip Q&A")
    saved = storage.list_answers(env.db(), attempt_id=attempt_id)
    assert saved and all(a.skipped and a.answer is None for a in saved)
