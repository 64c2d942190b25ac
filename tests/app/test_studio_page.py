"""The scenario studio: validation messages, saving versions, and the Chatwoot import upload."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.scenario_versions import custom_scenarios, history, published_scenarios

from .harness import ROOT, Env, texts

STUDIO = "app_pages/studio.py"
SCENARIO = (ROOT / "scenarios" / "hands_on_practice.yaml").read_text().replace("id: hands_on_practice", "id: my_copy")
PII = ROOT / "fixtures" / "chatwoot" / "api_conversation_pii.json"


def studio(app: Callable[..., AppTest]) -> AppTest:
    at = app("trainer")
    at.switch_page(STUDIO).run()
    assert not at.exception
    return at


def test_a_valid_scenario_previews_and_saves_as_a_draft(app: Callable[..., AppTest], env: Env) -> None:
    at = studio(app)
    at.text_area(key="studio_text").set_value(SCENARIO).run()
    assert not at.exception
    assert any(s.startswith("Valid:") for s in texts(at.success))
    at.button(key="studio_save").click().run()
    assert not at.exception
    assert any("Saved 'my_copy' as a draft, version 1." in s for s in texts(at.success))
    assert custom_scenarios(env.db())["my_copy"].version == 1
    assert published_scenarios(env.db()) == {}


def test_errors_are_the_loaders_messages(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    at.text_area(key="studio_text").set_value(
        SCENARIO.replace("call: escalate_manager", "call: escalate_mngr", 1)
    ).run()
    assert any(
        "is not a call for a conversation item; did you mean 'escalate\\_manager'?" in m for m in texts(at.markdown)
    )
    assert not [b for b in at.button if b.key == "studio_save"]


def test_builtin_ids_cannot_be_overwritten(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    at.text_area(key="studio_text").set_value((ROOT / "scenarios" / "hands_on_practice.yaml").read_text()).run()
    at.button(key="studio_save").click().run()
    assert any("is a built-in scenario" in e for e in texts(at.error))


def test_chatwoot_upload_gives_a_scrubbed_draft(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    raw = PII.read_bytes()
    sender = json.loads(raw)["meta"]["sender"]
    uploader = next(u for u in at.get("file_uploader") if u.key == "studio_chatwoot")
    uploader.upload("conversation.json", raw, "application/json").run()
    assert not at.exception
    (draft,) = [c.value for c in at.code]
    assert "TODO" in draft and sender["name"] not in draft and sender["email"] not in draft


def test_a_non_chatwoot_file_is_explained(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    uploader = next(u for u in at.get("file_uploader") if u.key == "studio_chatwoot")
    uploader.upload("slack.json", (ROOT / "fixtures" / "chatwoot" / "slack_history.json").read_bytes()).run()
    assert any("not a Chatwoot conversation" in e for e in texts(at.error))


def test_try_it_as_a_trainee_runs_an_unofficial_attempt(app: Callable[..., AppTest], env: Env) -> None:
    at = studio(app)
    at.text_area(key="studio_text").set_value(SCENARIO).run()
    assert not [b for b in at.button if b.key == "studio_try_live"]
    at.button(key="studio_save").click().run()
    at.button(key="studio_try_live").click().run()
    assert not at.exception
    (attempt,) = storage.list_attempts(env.db(), username="trainer")
    assert attempt.official is False and attempt.scenario_id == "my_copy"
    assert any(key.startswith(f"pick_{attempt.id}") for key in [r.key for r in at.radio])


def _save_draft(at: AppTest, text: str = SCENARIO) -> None:
    at.text_area(key="studio_text").set_value(text).run()
    at.button(key="studio_save").click().run()
    assert not at.exception


def _pick(at: AppTest, scenario_id: str = "my_copy") -> None:
    at.selectbox(key="studio_pick").set_value(scenario_id).run()
    assert not at.exception


def test_open_a_builtin_in_the_editor_gives_its_file(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    at.selectbox(key="studio_download_pick").set_value("hands_on_practice").run()
    assert not at.exception
    at.button(key="studio_open").click().run()
    assert not at.exception
    assert at.text_area(key="studio_text").value == (ROOT / "scenarios" / "hands_on_practice.yaml").read_text()
    assert any(s.startswith("Valid:") for s in texts(at.success))


def test_open_edit_and_save_a_draft_then_publish(app: Callable[..., AppTest], env: Env) -> None:
    at = studio(app)
    _save_draft(at)
    at.text_area(key="studio_text").set_value("").run()
    _pick(at)
    at.button(key="studio_edit").click().run()
    assert not at.exception
    assert at.text_area(key="studio_text").value == SCENARIO
    edited = SCENARIO.replace('title: "', 'title: "Edited ', 1)
    at.text_area(key="studio_text").set_value(edited).run()
    at.button(key="studio_save").click().run()
    assert any("Updated the draft of 'my_copy', version 1." in s for s in texts(at.success))
    at.button(key="studio_publish").click().run()
    assert not at.exception
    assert any("Published 'my_copy' version 1" in s for s in texts(at.success))
    assert published_scenarios(env.db())["my_copy"].title.startswith("Edited ")
    assert [e.action for e in history(env.db(), "my_copy")] == ["published", "saved", "saved"]


def test_a_trainee_sees_a_scenario_only_once_published_and_not_once_archived(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    _save_draft(at)
    assert not [b for b in app("trainee", "train").button if b.key == "open_my_copy"]
    _pick(at)
    at.button(key="studio_publish").click().run()
    assert [b for b in app("trainee", "train").button if b.key == "open_my_copy"]
    at.button(key="studio_archive").click().run()
    assert not at.exception
    assert any("Archived 'my_copy'" in s for s in texts(at.success))
    assert not [b for b in app("trainee", "train").button if b.key == "open_my_copy"]
    at.button(key="studio_restore").click().run()
    assert any("Restored 'my_copy'." in s for s in texts(at.success))
    assert [b for b in app("trainee", "train").button if b.key == "open_my_copy"]


def test_delete_is_offered_only_for_a_never_published_draft(app: Callable[..., AppTest], env: Env) -> None:
    at = studio(app)
    _save_draft(at)
    _pick(at)
    at.button(key="studio_delete").click().run()
    assert not at.exception
    assert any("Deleted the draft 'my_copy'." in s for s in texts(at.success))
    assert custom_scenarios(env.db()) == {}


def test_history_shows_a_diff_between_two_versions(app: Callable[..., AppTest]) -> None:
    at = studio(app)
    _save_draft(at)
    _pick(at)
    at.button(key="studio_publish").click().run()
    _save_draft(at, SCENARIO.replace('title: "', 'title: "New ', 1))
    _pick(at)
    (diff,) = [c.value for c in at.code]
    assert "-version: 1" in diff and "+version: 2" in diff
