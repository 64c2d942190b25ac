"""The scenario catalog (grouped by agenda part) and a scenario's briefing."""

from __future__ import annotations

import streamlit as st

from optrain.certificates import DIFFICULTY_RANK, path_status
from optrain.scenarios.loader import Catalog
from optrain.scenarios.model import AGENDA, AGENDA_TITLES, Scenario
from optrain.scenarios.summary import decision_count, estimated_minutes
from optrain.storage.progress import ScenarioProgress
from optrain.ui.auth import User
from optrain.ui.text import plain, trainer_markdown

DIFFICULTY_BADGE = {
    "beginner": ":green-badge[beginner]",
    "intermediate": ":orange-badge[intermediate]",
    "advanced": ":red-badge[advanced]",
}


def _status(progress: ScenarioProgress | None) -> str:
    if progress is None:
        return ":gray[Not started]"
    if progress.passed:
        return f":green[:material/check_circle: Passed, best {progress.best_percent or 0:.0%}]"
    if progress.best_percent is not None:
        return f":orange[Best {progress.best_percent:.0%}, not passed yet]"
    return ":blue[In progress]"


def render_path(catalog: Catalog, progress: dict[str, ScenarioProgress]) -> str | None:
    """The learning path in agenda order: done, passed and next; returns the id of 'next' if clicked."""
    status = path_status(catalog.scenarios, progress)
    if not status.path:
        return None
    done = sum(1 for s in status.path if s.id in status.passed)
    with st.container(border=True):
        st.markdown("**Your learning path**")
        st.progress(
            done / len(status.path),
            text=f"{done} of {len(status.path)} passed" + (" · certificate earned" if status.complete else ""),
        )
        with st.expander("The whole path, in order"):
            for number, scenario in enumerate(status.path, start=1):
                mine = progress.get(scenario.id)
                if scenario.id in status.passed:
                    icon = ":green[:material/check_circle:]"
                elif status.next is not None and scenario.id == status.next.id:
                    icon = ":orange[:material/arrow_circle_right:]"
                elif mine is not None:
                    icon = ":blue[:material/pending:]"
                else:
                    icon = ":gray[:material/radio_button_unchecked:]"
                st.markdown(f"{icon} {number}\\. {plain(scenario.title)}")
        if status.complete:
            st.success("Path complete: your certificate is on **My results**.", icon=":material/workspace_premium:")
        elif status.next is not None and st.button(
            f"Next: {plain(status.next.title)}", key="path_next", type="primary", icon=":material/play_arrow:"
        ):
            return status.next.id
    return None


def render_catalog(catalog: Catalog, progress: dict[str, ScenarioProgress], user: User) -> str | None:
    """Scenario cards by agenda part; returns the id of the scenario the user opened, if any."""
    chosen: str | None = render_path(catalog, progress)
    if not catalog.scenarios:
        st.info("No scenarios are available yet. A trainer can add scenario files to the scenarios folder.")
    for part in AGENDA:
        scenarios = [s for s in catalog.scenarios.values() if s.module == part]
        if not scenarios:
            continue
        st.subheader(AGENDA_TITLES[part])
        for scenario in sorted(scenarios, key=lambda s: (s.certification, DIFFICULTY_RANK[s.difficulty], s.title)):
            mine = progress.get(scenario.id)
            with st.container(border=True):
                left, right = st.columns([4, 1], vertical_alignment="center")
                with left:
                    st.markdown(f"**{plain(scenario.title)}** {DIFFICULTY_BADGE[scenario.difficulty]}")
                    mode = (
                        "coach: feedback after each call"
                        if scenario.feedback_mode == "coach"
                        else "exam: feedback at the end"
                    )
                    st.caption(
                        f"{decision_count(scenario)} calls · about {estimated_minutes(scenario)} min · {mode} · "
                        f"pass mark {scenario.pass_mark:.0%} · version {scenario.version}"
                    )
                    st.markdown(_status(mine))
                with right:
                    label = "Resume" if mine and mine.in_progress_id else ("Practise again" if mine else "Open")
                    if st.button(
                        label,
                        key=f"open_{scenario.id}",
                        type="primary" if label == "Resume" else "secondary",
                        width="stretch",
                    ):
                        chosen = scenario.id
    if catalog.problems and user.can("trainer"):
        with st.expander(
            f":material/error: {len(catalog.broken_files())} scenario file(s) could not be loaded", expanded=True
        ):
            st.caption("Trainees do not see these. Fix the files and the catalog reloads by itself.")
            for problem in catalog.problems:
                st.markdown(f"- {plain(str(problem))}")
    return chosen


def render_briefing(scenario: Scenario, in_progress: bool) -> bool:
    """The briefing; True when the trainee starts (or resumes) the shift."""
    st.header(plain(scenario.title))
    # plain(): the agenda title starts with "7. ", which Markdown would turn into a numbered list.
    limit = f" · time limit {scenario.time_limit_minutes} min" if scenario.time_limit_minutes else ""
    st.caption(
        plain(
            f"{AGENDA_TITLES[scenario.module]} · {scenario.difficulty} · about {estimated_minutes(scenario)} min{limit}"
        )
    )
    with st.container(border=True):
        st.markdown(trainer_markdown(scenario.briefing))  # Markdown by design: no HTML, images or foreign links
    coach = scenario.feedback_mode == "coach"
    st.info(
        "**Coach mode**: after each call you see at once whether it was right and why."
        if coach
        else "**Exam mode**: nothing is revealed until you finish; then you see every call explained.",
        icon=":material/school:",
    )
    return st.button(
        "Resume my shift" if in_progress else "Start shift",
        key="start_shift",
        type="primary",
        icon=":material/play_arrow:",
    )
