"""Home lists every shift in progress, most recent first, with its progress; My results links every attempt's review."""

from __future__ import annotations

from .harness import Seed, texts


def test_home_lists_every_shift_in_progress_most_recent_first(app, seed: Seed) -> None:
    older = seed.start("trainee", "hands_on_practice")
    seed.decide(older, {"hoodie_blk_m": ("reorder", None)})
    newer = seed.start("trainee", "intro_control_center")
    at = app("trainee")
    resume = [b for b in at.button if b.key and b.key.startswith("home_resume")]
    assert [b.key for b in resume] == ["home_resume", f"home_resume_{older}"]
    listed = [m for m in texts(at.markdown) if "decided" in m]
    assert len(listed) == 2 and "0 of" in listed[0] and "1 of 7 decided" in listed[1]
    at.button(key=f"home_resume_{older}").click().run()
    assert not at.exception
    assert at.query_params == {"attempt": str(older)}
    assert newer != older


def test_my_results_links_to_every_attempts_review(app, seed: Seed) -> None:
    finished = [seed.finished("trainee") for _ in range(2)]
    open_one = seed.start("trainee")
    at = app("trainee", "my_results")
    table = next(d.value for d in at.dataframe if "Review" in d.value.columns)
    assert sorted(table["Review"]) == sorted(f"/train?attempt={i}" for i in (*finished, open_one))
    assert list(table["Result"]).count("in progress") == 1
