"""Scenario studio (trainers): write or open a scenario, preview it, save a draft, publish, archive."""

from datetime import UTC, datetime

import streamlit as st

from optrain import training
from optrain.chatwoot_import import import_bytes
from optrain.chatwoot_import import to_yaml as chatwoot_yaml
from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.scenario_versions import content_hash, save_draft, scenario_source, studio_version
from optrain.scenarios.loader import MAX_FILE_BYTES, ScenarioFileError, parse_scenario_text
from optrain.scenarios.schema import schema_text
from optrain.ui.auth import require_role
from optrain.ui.catalog import builtin_catalog, get_catalog
from optrain.ui.db import get_db
from optrain.ui.studio_view import EDITOR_KEY, open_in_editor, preview, studio_scenarios
from optrain.ui.text import plain

trainer = require_role("trainer")
db = get_db()
settings = Settings.from_env()

st.title("Scenario studio")
st.caption(
    "Write a scenario in YAML (the format guide is docs/scenario-format.md), check it, see it as a trainee "
    "would, and save it as a draft. Trainees only see a scenario once you publish it; a published version "
    "never changes, so editing it saves a new draft beside it."
)

studio_scenarios(db, trainer.username)

st.subheader("Editor")
upload = st.file_uploader("Upload a scenario (.yaml or .yml)", type=["yaml", "yml"], key="studio_upload")
if upload is not None and st.session_state.get("studio_loaded") != upload.file_id:
    data = upload.getvalue()
    if len(data) > MAX_FILE_BYTES:
        st.error(f"That file is {len(data):,} bytes; scenario files are limited to {MAX_FILE_BYTES:,} bytes.")
    else:
        try:
            st.session_state[EDITOR_KEY] = data.decode("utf-8")
            st.session_state["studio_loaded"] = upload.file_id
        except UnicodeDecodeError:
            st.error("That file is not UTF-8 text; save it as UTF-8 and upload it again.")
text = st.text_area("Scenario YAML", key=EDITOR_KEY, height=360, placeholder="id: my_scenario\ntitle: ...")

scenario = None
if text.strip():
    try:
        scenario = parse_scenario_text(text, "pasted scenario")
    except ScenarioFileError as exc:
        st.error(f"{len(exc.problems)} problem(s) to fix:", icon=":material/error:")
        for problem in exc.problems:
            st.markdown(f"- {plain(str(problem))}")
if scenario is not None:
    preview(scenario)
    if st.button("Save draft", key="studio_save", type="primary", icon=":material/save:"):
        try:
            outcome = save_draft(
                db,
                text,
                author=trainer.username,
                now=datetime.now(UTC),
                builtin_ids=tuple(builtin_catalog().scenarios),
            )
        except OptrainError as exc:
            st.error(str(exc))
        else:  # drawn again, so that the list of scenarios above shows the saved draft
            st.session_state["studio_flash"] = ("success", outcome.message)
            st.rerun()
    saved = studio_version(db, scenario.id, scenario.version)
    if saved is not None and content_hash(saved) == content_hash(scenario):
        if st.button(
            "Try it as a trainee",
            key="studio_try_live",
            icon=":material/play_arrow:",
            help="Work the saved version on the real Train page; the attempt is not an official one.",
        ):
            operator = training.Operator(trainer.username, trainer.name, trainer.email)
            trial = training.start_attempt(db, saved, operator, datetime.now(UTC), official=False)
            st.switch_page("app_pages/train.py", query_params={"attempt": str(trial.id)})
    else:
        st.caption("Save the draft to try it on the real Train page.")

st.divider()
st.subheader("Import a Chatwoot conversation")
st.caption(
    "Upload a conversation exported from Chatwoot (API object or webhook payload). The personal details the "
    "importer recognises are replaced with made-up values, and what still looks personal is listed for you "
    "to review; you then set the expected call and the rationale."
)
chatwoot = st.file_uploader("Chatwoot JSON", type=["json"], key="studio_chatwoot")
if chatwoot is not None:
    try:
        draft = import_bytes(chatwoot.getvalue(), source_name="uploaded conversation")
    except OptrainError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.success(
            f"Draft item ready: {draft.replaced_total} personal detail(s) replaced. "
            "Paste it under `queue:` and fill in the TODOs.",
            icon=":material/check:",
        )
        draft_yaml = chatwoot_yaml(draft)
        st.code(draft_yaml, language="yaml")
        # Review before saving: what the importer could not recognise but still looks personal.
        if draft.flags:
            st.warning(
                plain(
                    f"Review before saving: {len(draft.flags)} thing(s) still look personal; replace or "
                    "delete each one that is. "
                    + "; ".join(f"{flag.where}: '{flag.text}' ({flag.reason})" for flag in draft.flags)
                ),
                icon=":material/visibility:",
            )
        reviewed = not draft.flags or st.checkbox("I have reviewed the flagged words", key="studio_chatwoot_reviewed")
        st.download_button(
            "Download draft item",
            draft_yaml,
            file_name=f"{draft.item['id']}.yaml",
            mime="application/x-yaml",
            key="studio_chatwoot_dl",
            disabled=not reviewed,
        )

st.divider()
st.subheader("Built-in and published scenarios")
catalog = get_catalog()
left, right = st.columns(2)
with left:
    pick = st.selectbox(
        "Scenario",
        sorted(catalog.scenarios),
        index=None,
        key="studio_download_pick",
        format_func=lambda i: f"{catalog.scenarios[i].title} ({i} v{catalog.scenarios[i].version})",
    )
    if pick:
        try:
            body = scenario_source(settings.scenarios_dir, db, pick)
        except OptrainError as exc:
            st.error(str(exc))
        else:
            st.download_button(
                "Download YAML",
                body,
                file_name=f"{pick}.yaml",
                mime="application/x-yaml",
                key="studio_download",
                icon=":material/download:",
            )
            st.button(
                "Open in the editor",
                key="studio_open",
                on_click=open_in_editor,
                args=(body,),
                help="A built-in opens as a copy: give it a new id before saving.",
            )
with right:
    st.download_button(
        "JSON Schema for your editor",
        schema_text(),
        file_name="scenario.schema.json",
        mime="application/schema+json",
        key="studio_schema",
        icon=":material/data_object:",
    )
    st.caption("Point your editor's YAML support at this schema to get completion and checks while you type.")
