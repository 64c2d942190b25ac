"""A studio edit of a scenario's text keeps everything the author wrote but the value it changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from optrain.errors import ScenarioError
from optrain.scenarios.loader import parse_scenario_text
from optrain.scenarios.roundtrip import set_version

ROOT = Path(__file__).resolve().parent.parent
AUTHORED = """\
# yaml-language-server: $schema=scenario.schema.json
id: authored   # the file name
title: 'Single-quoted: kept'
version:   3   # spacing kept too
module: custom
difficulty: beginner
briefing: |
  Line one of a block scalar.

  Line three, after a blank line.
queue:
  - {kind: inventory, id: pads, sku: "BRK-PAD", product: Pads, units: 4, days_of_cover: 2,
     expected: {call: reorder}, rationale: "Flow style, quoted.", rule: low_cover_reorder}
  - kind: inventory
    id: coils
    sku: LS3-COIL-8
    product: Coils
    units: 4
    days_of_cover: 2
    expected: {call: reorder}
    rationale: >-
      Folded text
      on two lines.
    rule: low_cover_reorder
"""


def test_only_the_version_value_changes() -> None:
    updated = set_version(AUTHORED, 12)
    assert updated == AUTHORED.replace("version:   3   #", "version:   12   #")
    assert parse_scenario_text(updated, "x").version == 12


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_builtins_change_in_one_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    updated = set_version(text, 99)
    changed = [(a, b) for a, b in zip(text.splitlines(), updated.splitlines(), strict=True) if a != b]
    assert changed == [("version: 1", "version: 99")]


def test_a_quoted_version_is_explained() -> None:
    with pytest.raises(ScenarioError, match="not written as a plain number"):
        set_version(AUTHORED.replace("version:   3", 'version:   "3"'), 4)
