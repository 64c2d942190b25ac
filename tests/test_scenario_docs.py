"""docs/scenario-format.md and scenarios/scenario.schema.json keep up with the model."""

from __future__ import annotations

import re
import textwrap
import typing
from pathlib import Path
from types import UnionType
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from optrain.rules import RULES
from optrain.scenarios import model
from optrain.scenarios.loader import parse_scenario_text
from optrain.scenarios.model import CALLS_BY_KIND, Scenario
from optrain.scenarios.schema import scenario_json_schema, schema_text, write_schema
from optrain.templates import ALIASES, BUILTIN_TEMPLATES, KNOWN_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "scenario-format.md"
DOC = DOC_PATH.read_text(encoding="utf-8")
SCHEMA_PATH = ROOT / "scenarios" / "scenario.schema.json"
HEADING = re.compile(r"^#{2,4} .*$", re.MULTILINE)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, UnionType, tuple, list, dict):
        return [m for arg in typing.get_args(annotation) if arg is not Ellipsis for m in _models_in(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def reachable_models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [Scenario]
    while todo:
        current = todo.pop(0)
        if current in found:
            continue
        found.append(current)
        for info in current.model_fields.values():
            todo.extend(_models_in(info.annotation))
    return found


def section(title: str) -> str | None:
    """The text under the heading that holds `title`, up to the next heading."""
    headings = list(HEADING.finditer(DOC))
    for index, heading in enumerate(headings):
        if title in heading.group(0):
            end = headings[index + 1].start() if index + 1 < len(headings) else len(DOC)
            return DOC[heading.end() : end]
    return None


def documented_fields(cls: type[BaseModel]) -> set[str]:
    """Field names in table rows of the model's section or of a base model's section."""
    names: set[str] = set()
    for base in cls.__mro__:
        text = section(f"`{base.__name__}`")
        if text is not None:
            names.update(re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE))
    return names


MODELS = reachable_models()


def test_walk_reaches_the_nested_models() -> None:
    names = {m.__name__ for m in MODELS}
    assert {"ConversationItem", "Customer", "Order", "Message", "Alternative", "GeneratedSpec", "StockLevel"} <= names


@pytest.mark.parametrize("cls", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_a_section(cls: type[BaseModel]) -> None:
    assert section(f"`{cls.__name__}`") is not None, f"add a '### `{cls.__name__}`' section to {DOC_PATH.name}"


@pytest.mark.parametrize("cls", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_in_a_table_row(cls: type[BaseModel]) -> None:
    missing = sorted(set(cls.model_fields) - documented_fields(cls))
    assert missing == [], f"document {cls.__name__} fields {missing} in {DOC_PATH.name}"


def _literal_values(alias: Any) -> tuple[str, ...]:
    return tuple(typing.get_args(alias))


NAMES: dict[str, tuple[str, ...]] = {
    "rule id": tuple(RULES),
    "call": tuple(dict.fromkeys(c for calls in CALLS_BY_KIND.values() for c in calls)),
    "item kind": tuple(CALLS_BY_KIND),
    "template": tuple(BUILTIN_TEMPLATES),
    "template variable": tuple(f"{{{{{v}}}}}" for v in (*KNOWN_VARIABLES, *ALIASES)),
    "intent": _literal_values(model.Intent),
    "module": _literal_values(model.Module),
    "tile id": _literal_values(model.TileId),
    "tile state": _literal_values(model.TileState),
    "tile status": _literal_values(model.TileStatus),
    "answer kind": _literal_values(model.AnswerKind),
    "tier": _literal_values(model.Tier),
    "channel": _literal_values(model.Channel),
}


@pytest.mark.parametrize("what", sorted(NAMES))
def test_every_name_is_documented_in_backticks(what: str) -> None:
    missing = [name for name in NAMES[what] if f"`{name}`" not in DOC]
    assert missing == [], f"document these {what}s in {DOC_PATH.name}: {missing}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_a_row_in_the_rule_table(rule_id: str) -> None:
    rules = section("Rule ids") or ""
    assert re.search(rf"^\| `{rule_id}` \|", rules, re.MULTILINE)


# ---------------------------------------------------------------- examples in the docs

EXAMPLES = [textwrap.dedent(t) for t in re.findall(r"^ *```yaml\n(.*?)^ *```", DOC, re.DOTALL | re.MULTILINE)]
COMPLETE = [text for text in EXAMPLES if text.startswith("id: ")]


def test_docs_hold_a_minimal_and_a_worked_example() -> None:
    assert [yaml.safe_load(text)["id"] for text in COMPLETE] == ["minimal", "worked_example"]


@pytest.mark.parametrize("text", COMPLETE, ids=lambda t: t.split("\n", 1)[0])
def test_complete_examples_load(text: str) -> None:
    scenario = parse_scenario_text(text, DOC_PATH.name)
    assert scenario.scripted_items


def test_worked_example_uses_every_feature() -> None:
    scenario = parse_scenario_text(COMPLETE[-1], DOC_PATH.name)
    items = scenario.scripted_items
    assert {i.kind for i in items} == set(CALLS_BY_KIND)
    assert scenario.templates and scenario.generated_specs and scenario.questions
    assert any(i.follow_ups for i in items) and any(i.critical for i in items) and any(i.alternatives for i in items)
    assert "dashboard" in yaml.safe_load(COMPLETE[-1])


@pytest.mark.parametrize("text", [t for t in EXAMPLES if not t.startswith("id: ")], ids=lambda t: t.split("\n", 1)[0])
def test_snippets_are_valid_yaml(text: str) -> None:
    comments_only = all(line.lstrip().startswith("#") for line in text.strip().splitlines())
    assert (yaml.safe_load(text) is None) == comments_only


# ---------------------------------------------------------------- JSON Schema


def test_committed_schema_is_up_to_date(tmp_path: Path) -> None:
    fresh = write_schema(tmp_path / "scenario.schema.json").read_text(encoding="utf-8")
    committed = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    assert committed == fresh, (
        "scenarios/scenario.schema.json is out of date with the model; run `optrain schema` and commit the result"
    )


def test_schema_names_itself_and_lists_fields_not_properties() -> None:
    schema = scenario_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and "docs/scenario-format.md" in schema["description"]
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert "scripted_items" not in schema_text() and "generated_specs" not in schema["properties"]


def test_schema_offers_rule_ids_and_calls_per_kind() -> None:
    defs = scenario_json_schema()["$defs"]
    for kind, name in (("conversation", "ConversationItem"), ("inventory", "InventoryItem"), ("tile", "TileItem")):
        properties = defs[name]["properties"]
        assert properties["rule"]["enum"] == sorted(RULES)
        assert properties["expected"]["allOf"][1]["properties"]["call"]["enum"] == list(CALLS_BY_KIND[kind])


def _validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


SCHEMA_VALID = sorted([*(ROOT / "scenarios").glob("*.yaml"), *(ROOT / "fixtures/scenarios/valid").glob("*.yaml")])


@pytest.mark.parametrize("path", SCHEMA_VALID, ids=lambda p: p.name)
def test_valid_scenarios_pass_the_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "starts_at" in data:
        data["starts_at"] = data["starts_at"].isoformat()
    assert [e.message for e in _validator().iter_errors(data)] == []


@pytest.mark.parametrize(
    "name",
    [
        "unknown_top_level_key",
        "unknown_item_key",
        "wrong_type",
        "unknown_call",
        "unknown_rule",
        "unknown_module",
        "pass_mark_out_of_range",
        "empty_queue",
        "top_level_list",
    ],
)
def test_broken_scenarios_fail_the_schema(name: str) -> None:
    data = yaml.safe_load((ROOT / "fixtures/scenarios/broken" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert list(_validator().iter_errors(data)) != []
