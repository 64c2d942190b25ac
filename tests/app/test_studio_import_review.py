"""The studio's Chatwoot import: what still looks personal is listed, and the draft is offered once reviewed."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from .harness import ROOT, texts

STUDIO = "app_pages/studio.py"
RECALL = ROOT / "fixtures" / "chatwoot" / "recall"


def upload(app: Callable[..., AppTest], name: str) -> AppTest:
    at = app("trainer")
    at.switch_page(STUDIO).run()
    assert not at.exception
    uploader = next(u for u in at.get("file_uploader") if u.key == "studio_chatwoot")
    uploader.upload("conversation.json", (RECALL / name).read_bytes(), "application/json").run()
    assert not at.exception
    return at


def download_disabled(at: AppTest) -> bool:
    (button,) = [b for b in at.get("download_button") if "studio_chatwoot_dl" in b.proto.id]
    return bool(button.proto.disabled)


def test_flagged_words_are_listed_and_the_draft_is_offered_only_once_reviewed(app: Callable[..., AppTest]) -> None:
    at = upload(app, "webhook_conversation_names.json")
    (warning,) = [w for w in texts(at.warning) if "still look personal" in w]
    assert "'Marguerite' \\(a capitalised word the shop does not use\\)" in warning  # escaped by plain()
    assert download_disabled(at)
    at.checkbox(key="studio_chatwoot_reviewed").check().run()
    assert not at.exception
    assert not download_disabled(at)


def test_a_draft_with_nothing_flagged_is_offered_at_once(app: Callable[..., AppTest]) -> None:
    at = upload(app, "api_conversation_card.json")
    assert not [w for w in texts(at.warning) if "still look personal" in w]
    assert not [c for c in at.checkbox if c.key == "studio_chatwoot_reviewed"]
    assert not download_disabled(at)
