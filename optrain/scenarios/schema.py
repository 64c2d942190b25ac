"""The scenario format as a JSON Schema, for editors that validate YAML as it is typed.

The schema is generated from the pydantic model, so it cannot drift from what
the loader accepts; a test compares the committed `scenarios/scenario.schema.json`
with a fresh one. Ids that the model checks across fields (rules, calls per item
kind) are added as enums so an editor can offer them; cross-item checks
(follow-ups, template ids defined in the same file) stay with the loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optrain.calls import CALLS_BY_KIND
from optrain.rules import RULES
from optrain.scenarios.model import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:optrain:scenario"
ITEM_DEFS: dict[str, str] = {"conversation": "ConversationItem", "inventory": "InventoryItem", "tile": "TileItem"}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of one scenario file (a YAML mapping validated as JSON)."""
    generated = Scenario.model_json_schema()
    for kind, name in ITEM_DEFS.items():
        _narrow_item(generated["$defs"][name], CALLS_BY_KIND[kind])
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        **generated,
        "title": "Operator training scenario",
        "description": (
            "One training scenario: a briefing, a queue of items (conversations, inventory rows, "
            "dashboard tiles, generated background conversations) with the expected call for each, "
            "an optional mock dashboard and Q&A questions. The id must equal the file name. "
            "See docs/scenario-format.md for the meaning of every field."
        ),
    }


def _narrow_item(definition: dict[str, Any], calls: tuple[str, ...]) -> None:
    """Offer the rule ids and this kind's calls where the model only says 'text'."""
    properties = definition["properties"]
    properties["rule"] = {**properties["rule"], "enum": sorted(RULES)}
    call_enum = {"properties": {"call": {"enum": list(calls)}}}
    properties["expected"] = {"allOf": [properties["expected"], call_enum]}
    alternatives = properties["alternatives"]
    alternatives["items"] = {"allOf": [alternatives["items"], call_enum]}
    follow_up_keys = "|".join(calls)
    properties["follow_ups"] = {
        **properties["follow_ups"],
        "propertyNames": {"pattern": f"^({follow_up_keys})(:[a-z0-9][a-z0-9_-]{{0,63}})?$"},
    }


def schema_text() -> str:
    """The schema as committed: two-space indents, a final newline, stable order."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path | str) -> Path:
    """Write the schema to `path` (normally scenarios/scenario.schema.json) and return it."""
    target = Path(path)
    target.write_text(schema_text(), encoding="utf-8")
    return target
