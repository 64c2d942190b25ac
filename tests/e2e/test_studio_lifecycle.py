"""A trainer writes a scenario in the studio, previews it, saves a draft and publishes it; a trainee
then sees it on the Train page; the trainer archives it and it is gone for the trainee."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .driver import AppDriver

pytestmark = pytest.mark.e2e

TITLE = "Studio demo: a late carburetor"
SCENARIO = f"""\
# Written in the studio by a trainer.
id: studio_demo
title: "{TITLE}"
version: 1
module: custom
difficulty: beginner
briefing: |
  A customer asks where their carburetor is.
  Nothing has shipped yet.
queue:
  - kind: conversation
    id: late_carb
    waiting_minutes: 95
    expected: {{call: approve_template, template: ack_delay}}
    rationale: No tracking news yet, so acknowledge the delay.
    rule: shipping_delay
"""


def trainee_catalog_shows(trainee: AppDriver, visible: bool) -> None:
    trainee.goto("/train")
    expect(trainee.page.get_by_text("Your learning path")).to_be_visible()  # the catalog has been drawn
    if visible:  # its card in the catalog (the learning path lists it too)
        expect(trainee.page.get_by_text(TITLE, exact=True)).to_be_visible()
    else:
        expect(trainee.page.get_by_text(TITLE)).to_have_count(0)


def test_trainer_creates_previews_publishes_and_archives(open_app: Callable[..., AppDriver]) -> None:
    trainer = open_app(prefix="trainer_")
    trainer.sign_in("trainer")
    trainer.goto("/studio")
    expect(trainer.page.get_by_text("No studio scenarios yet")).to_be_visible()
    editor = trainer.page.get_by_label("Scenario YAML")
    editor.fill(SCENARIO)
    editor.press("Control+Enter")
    trainer.settle()
    expect(trainer.page.get_by_text("Valid:")).to_be_visible()
    trainer.page.get_by_role("tab", name="Dashboard").click()
    expect(trainer.page.get_by_text("The dashboard as the trainee sees it")).to_be_visible()
    trainer.shot("1_preview")

    trainer.button("Save draft").click()
    expect(trainer.page.get_by_text("Saved 'studio_demo' as a draft, version 1.")).to_be_visible()
    trainer.settle()
    trainer.shot("2_draft_saved")

    trainee = open_app(prefix="trainee_")
    trainee.sign_in("trainee")
    trainee_catalog_shows(trainee, visible=False)

    trainer.select("Studio scenario", f"{TITLE} (studio_demo)")
    trainer.button("Publish version 1").click()
    expect(trainer.page.get_by_text("Published 'studio_demo' version 1")).to_be_visible()
    trainer.settle()
    trainer.shot("3_published")

    trainee_catalog_shows(trainee, visible=True)
    trainee.shot("4_trainee_sees_it")

    trainer.select("Studio scenario", f"{TITLE} (studio_demo)")
    trainer.button("Archive").click()
    expect(trainer.page.get_by_text("Archived 'studio_demo'")).to_be_visible()
    trainer.settle()
    trainer.shot("5_archived")

    trainee_catalog_shows(trainee, visible=False)
    trainee.shot("6_trainee_no_longer_sees_it")
