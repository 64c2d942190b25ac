"""What the Q&A form tells the trainee matches what was kept: screenshots, skips and the scale's ends."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.ui.results_view import scale_ends
from optrain.uploads import MAX_SCREENSHOT_BYTES

from .harness import Env, Seed, texts

SERVER_CAP_MB = 5  # .streamlit/config.toml [server] maxUploadSize


def qa_form(app, seed: Seed) -> tuple[AppTest, int]:
    attempt_id = seed.finished("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    return at, attempt_id


def press(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception


def test_the_widget_passes_an_oversized_screenshot_on_so_the_app_can_explain_it(app, seed: Seed) -> None:
    """A file the widget refuses never reaches the server, which then said "saved" without it."""
    at, attempt_id = qa_form(app, seed)
    widget = at.file_uploader(key=f"qa_{attempt_id}_shot")
    assert widget.proto.max_upload_size_mb in (0, SERVER_CAP_MB)
    assert widget.proto.max_upload_size_mb * 1024 * 1024 != MAX_SCREENSHOT_BYTES


def test_an_oversized_screenshot_keeps_the_typed_answers_for_another_try(app, env: Env, seed: Seed) -> None:
    at, attempt_id = qa_form(app, seed)
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours")
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_SCREENSHOT_BYTES + 1)
    at.file_uploader(key=f"qa_{attempt_id}_shot").upload("big.png", big, "image/png")
    press(at, "Submit answers")
    assert any(e.replace("\\", "").startswith("Nothing was saved:") and "2 MB" in e for e in texts(at.error))
    assert storage.list_answers(env.db(), attempt_id=attempt_id) == ()
    assert at.text_area(key=f"qa_{attempt_id}_what_is_confusing").value == "The SLA badge colours"


def test_saved_feedback_says_whether_a_screenshot_came_with_it(app, seed: Seed) -> None:
    at, attempt_id = qa_form(app, seed)
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours")
    press(at, "Submit answers")
    assert any("feedback is saved" in s and "No screenshot attached." in s for s in texts(at.success))


def test_skipping_says_nothing_was_saved(app, seed: Seed) -> None:
    at, _ = qa_form(app, seed)
    press(at, "Skip Q&A")
    assert not [s for s in texts(at.success) if "saved" in s]
    assert any("no answers were saved" in i for i in texts(at.info))


def test_rating_captions_are_the_ends_the_question_names(app, seed: Seed) -> None:
    at, attempt_id = qa_form(app, seed)
    radio = at.radio(key=f"qa_{attempt_id}_ready_for_live")
    assert list(radio.proto.captions)[::4] == ["not yet", "ready"]


@pytest.mark.parametrize(
    ("question", "ends"),
    [
        ("How ready do you feel? (1 = not yet, 5 = ready)", ("not yet", "ready")),
        ("How confident are you? (1 = not at all; 5 = fully)", ("not at all", "fully")),
        ("Rate the briefing", ("low", "high")),
    ],
)
def test_scale_ends_are_read_from_the_question(question: str, ends: tuple[str, str]) -> None:
    assert scale_ends(question) == ends
