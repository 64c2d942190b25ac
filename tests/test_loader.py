"""The loader's promise: every problem of every file, with its file, path and line, and never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from optrain.scenarios import loader
from optrain.scenarios.loader import (
    MAX_FILE_BYTES,
    ScenarioFileError,
    load_scenario_file,
    load_scenarios,
    parse_scenario_text,
)

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path("fixtures/scenarios/broken")
VALID = Path("fixtures/scenarios/valid")

BROKEN_FILES: dict[str, list[str]] = {
    "bad_yaml_syntax": [
        "fixtures/scenarios/broken/bad_yaml_syntax.yaml: is not valid YAML: expected ',' or '}', but got ':' "
        "(in a flow mapping that starts on line 11) (line 12)",
    ],
    "unknown_top_level_key": [
        "fixtures/scenarios/broken/unknown_top_level_key.yaml: pass_mrk: unknown key 'pass_mrk'; "
        "did you mean 'pass_mark'? (line 8)",
    ],
    "unknown_item_key": [
        "fixtures/scenarios/broken/unknown_item_key.yaml: queue[0].pionts: unknown key 'pionts'; "
        "did you mean 'points'? (line 14)",
    ],
    "wrong_type": [
        "fixtures/scenarios/broken/wrong_type.yaml: version: must be a whole number, got 'one' (line 4)",
    ],
    "unknown_template": [
        "fixtures/scenarios/broken/unknown_template.yaml: queue[0].expected.template: 'ack_dely' is not a template; "
        "did you mean 'ack_delay'? (line 14)",
    ],
    "unknown_call": [
        "fixtures/scenarios/broken/unknown_call.yaml: queue[0].expected.call: 'reorder' is not a call for a "
        "conversation item; use one of: approve_template, approve_draft, edit_draft, reject_draft, "
        "escalate_manager, escalate_specialist (line 11)",
    ],
    "approve_template_without_template": [
        "fixtures/scenarios/broken/approve_template_without_template.yaml: queue[0].expected.template: "
        "approve_template needs a template (line 11)",
    ],
    "template_on_non_template_call": [
        "fixtures/scenarios/broken/template_on_non_template_call.yaml: queue[0].expected.template: "
        "only approve_template takes a template, not escalate_manager (line 11)",
    ],
    "draft_call_without_ai_draft": [
        "fixtures/scenarios/broken/draft_call_without_ai_draft.yaml: queue[0].expected.call: "
        "'reject_draft' needs an ai_draft on the item (line 11)",
    ],
    "duplicate_item_id": [
        "fixtures/scenarios/broken/duplicate_item_id.yaml: queue[1].id: duplicate item id 'delayed_order' "
        "(first used at queue[0]) (line 15)",
    ],
    "follow_up_missing_target": [
        "fixtures/scenarios/broken/follow_up_missing_target.yaml: queue[0].follow_ups.escalate_manager: "
        "'big_refund_chase' is not an item in this scenario; add an item with id: big_refund_chase "
        "and follow_up: true (line 15)",
    ],
    "follow_up_target_not_marked": [
        "fixtures/scenarios/broken/follow_up_target_not_marked.yaml: queue[0].follow_ups.escalate_manager: "
        "'big_refund_chase' must set follow_up: true to be used as a follow-up (line 15)",
    ],
    "orphan_follow_up": [
        "fixtures/scenarios/broken/orphan_follow_up.yaml: queue[1].follow_up: 'big_refund_chase' is marked "
        "follow_up but no item's follow_ups lead to it (line 16)",
    ],
    "pass_mark_out_of_range": [
        "fixtures/scenarios/broken/pass_mark_out_of_range.yaml: pass_mark: must be at most 1.0, got 80 (line 8)",
    ],
    "id_mismatch": [
        "fixtures/scenarios/broken/id_mismatch.yaml: id: 'shipping_basics' does not match the file name; "
        "set id: id_mismatch or rename the file to shipping_basics.yaml (line 2)",
    ],
    "empty_queue": [
        "fixtures/scenarios/broken/empty_queue.yaml: queue: must not be empty (line 8)",
    ],
    "template_unknown_variable": [
        "fixtures/scenarios/broken/template_unknown_variable.yaml: templates[0].body: unknown variable "
        "{{order.carier}}; did you mean 'order.carrier'? (line 13)",
    ],
    "unknown_rule": [
        "fixtures/scenarios/broken/unknown_rule.yaml: queue[0].rule: 'defective_products' is not a rule; "
        "did you mean 'defective_product'? (line 13)",
    ],
    "unknown_module": [
        "fixtures/scenarios/broken/unknown_module.yaml: module: 'cx_escalation' is not one of: introduction, "
        "navigation, cx_escalations, sales_inventory, decision_logging, error_handling, hands_on, custom; "
        "did you mean 'cx_escalations'? (line 5)",
    ],
    "python_object_tag": [
        "fixtures/scenarios/broken/python_object_tag.yaml: the YAML tag !!python/object/apply:os.system "
        "is not allowed; scenario files hold plain data only (line 3)",
    ],
    "billion_laughs": [
        "fixtures/scenarios/broken/billion_laughs.yaml: expands to more than 100,000 YAML nodes through "
        "aliases; refused",
    ],
    "top_level_list": [
        "fixtures/scenarios/broken/top_level_list.yaml: must be a mapping of scenario fields "
        "(id, title, version, ...) (line 1)",
    ],
    "empty_file": [
        "fixtures/scenarios/broken/empty_file.yaml: is empty; a scenario needs id, title, version, module, ...",
    ],
    # Strict types: YAML's true, quoted numbers, yes-words, .nan and .inf are refused, not converted.
    "points_boolean": [
        "fixtures/scenarios/broken/points_boolean.yaml: queue[0].points: must be a number, got true (line 14)",
    ],
    "credit_boolean": [
        "fixtures/scenarios/broken/credit_boolean.yaml: queue[0].alternatives[0].credit: must be a number, "
        "got true (line 15)",
    ],
    "pass_mark_string": [
        "fixtures/scenarios/broken/pass_mark_string.yaml: pass_mark: must be a number, got '0.8' (line 8)",
    ],
    "units_string": [
        "fixtures/scenarios/broken/units_string.yaml: queue[0].units: must be a whole number, got '15' (line 13)",
    ],
    "critical_string": [
        "fixtures/scenarios/broken/critical_string.yaml: queue[0].critical: must be true or false, got 'yes' (line 14)",
    ],
    "nan_and_infinity": [
        "fixtures/scenarios/broken/nan_and_infinity.yaml: queue[0].days_of_cover: must be a finite number, "
        "got .nan (line 14)",
        "fixtures/scenarios/broken/nan_and_infinity.yaml: queue[0].points: must be a finite number, got .inf (line 18)",
    ],
    "generated_over_total": [
        "fixtures/scenarios/broken/generated_over_total.yaml: queue[2].generated.count: brings the generated "
        "conversations to 1,200; a scenario may generate at most 1,000 in all its blocks together (line 15)",
    ],
    "template_variable_typo": [
        "fixtures/scenarios/broken/template_variable_typo.yaml: templates[0].body: unknown variable {{nme}}; "
        "did you mean 'name'? (line 12)",
    ],
}


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root so that problems name files by their relative path."""
    monkeypatch.chdir(ROOT)
    return ROOT


def _problems(path: Path | str) -> list[str]:
    with pytest.raises(ScenarioFileError) as caught:
        load_scenario_file(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_broken_fixture_reports_exactly(in_repo: Path, name: str) -> None:
    assert _problems(BROKEN / f"{name}.yaml") == BROKEN_FILES[name]


def test_every_broken_fixture_has_expected_messages(in_repo: Path) -> None:
    assert sorted(p.stem for p in BROKEN.glob("*.yaml")) == sorted(BROKEN_FILES)


def test_object_tag_is_never_constructed(in_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def record(command: str) -> int:
        calls.append(command)
        return 0

    monkeypatch.setattr("os.system", record)
    _problems(BROKEN / "python_object_tag.yaml")
    assert calls == []


def test_oversized_file_is_refused_without_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "huge.yaml"
    line = "# padding line that is never read as YAML\n"
    big.write_text(line * (10_000_000 // len(line) + 1))
    size = big.stat().st_size

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the oversized file was parsed")

    monkeypatch.setattr(yaml, "compose", must_not_parse)
    assert _problems(big) == [f"{big}: is {size:,} bytes; scenario files are limited to {MAX_FILE_BYTES:,} bytes"]


def test_folder_load_returns_valid_scenarios_and_every_broken_file(in_repo: Path) -> None:
    catalog = load_scenarios([VALID, BROKEN])
    assert sorted(catalog.scenarios) == sorted(p.stem for p in VALID.glob("*.yaml"))
    assert sorted(catalog.broken_files()) == sorted(str(p) for p in BROKEN.glob("*.yaml"))
    assert [str(p) for p in catalog.problems] == [
        message for name in sorted(BROKEN_FILES) for message in BROKEN_FILES[name]
    ]


def test_every_problem_names_its_file(in_repo: Path) -> None:
    catalog = load_scenarios([BROKEN])
    assert catalog.problems
    for problem in catalog.problems:
        assert Path(problem.file).parent == BROKEN
        assert str(problem).startswith(f"{problem.file}: ")


def test_one_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = (ROOT / VALID / "minimal.yaml").read_text()
    (tmp_path / "a_broken.yaml").write_text("id: [unclosed\n")
    (tmp_path / "b_good.yaml").write_text(good.replace("id: minimal", "id: b_good"))
    (tmp_path / "c_broken.yaml").write_text("")
    catalog = load_scenarios([tmp_path])
    assert list(catalog.scenarios) == ["b_good"]
    assert catalog.broken_files() == (str(tmp_path / "a_broken.yaml"), str(tmp_path / "c_broken.yaml"))


def test_same_id_in_two_folders_keeps_the_first(tmp_path: Path) -> None:
    good = (ROOT / VALID / "minimal.yaml").read_text()
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "minimal.yaml").write_text(good)
    catalog = load_scenarios([tmp_path / "first", tmp_path / "second"])
    assert list(catalog.scenarios) == ["minimal"]
    assert [str(p) for p in catalog.problems] == [
        f"{tmp_path / 'second' / 'minimal.yaml'}: id: 'minimal' is already defined in "
        f"{tmp_path / 'first' / 'minimal.yaml'}"
    ]


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Caf\xe9\n".encode("latin-1"))
    assert _problems(latin) == [f"{latin}: is not UTF-8 text"]
    missing = tmp_path / "missing.yaml"
    assert _problems(missing) == [f"{missing}: cannot be read: No such file or directory"]


# ---------------------------------------------------------------- in-memory texts

HEAD = """\
id: inline
title: Inline
version: 1
module: cx_escalations
difficulty: beginner
briefing: B
"""
ITEM = """\
  - kind: conversation
    id: c1
    expected: {call: approve_template, template: ack_delay}
    rationale: r
    rule: shipping_delay
"""
KEYS = (
    "id, title, version, module, difficulty, estimated_minutes, briefing, feedback_mode, time_limit_minutes, required, certification, pass_mark, seed, "
    "shift_minutes, starts_at, shop_domain, templates, dashboard, queue, questions"
)

# Each of these crashed, or produced a misleading message, before the loader was fixed.
TEXT_CASES: dict[str, tuple[str, list[str]]] = {
    "entry without kind is one problem, not two": (
        HEAD + "queue:\n  - id: c1\n",
        [
            "inline.yaml: queue[0]: each queue entry needs kind: conversation, inventory or tile, "
            "or a generated: block (line 8)"
        ],
    ),
    "bad value inside an item is one problem, not two": (
        HEAD + "queue:\n" + ITEM + "    time_target_seconds: 1\n",
        ["inline.yaml: queue[0].time_target_seconds: must be at least 5, got 1 (line 13)"],
    ),
    "bad dict key has no '[key]' marker in its path": (
        HEAD + "queue:\n  - generated: {count: 2, intents: {shiping_delay: 1}}\n",
        [
            "inline.yaml: queue[0].generated.intents.shiping_delay: 'shiping_delay' is not one of: "
            "shipping_delay, order_status, defect, refund_request, policy_exception, fitment_doubt, rush_order, "
            "warranty, bulk_order; did you mean 'shipping_delay'? (line 8)"
        ],
    ),
    "a number as a top-level key": (
        HEAD + "1: x\nqueue:\n" + ITEM,
        [f"inline.yaml: the key 1 is not text; keys are field names such as {KEYS} (line 7)"],
    ),
    "a list as a key": (
        HEAD + "? [a, b]\n: c\nqueue:\n" + ITEM,
        ["inline.yaml: a key must be plain text, not a list or a mapping (line 7)"],
    ),
    "a key set twice": (
        HEAD + "title: Second title\nqueue:\n" + ITEM,
        ["inline.yaml: title: is set twice (also on line 2); keep one (line 7)"],
    ),
    "a key set twice inside an item": (
        HEAD + "queue:\n" + ITEM + "    rule: defective_product\n",
        ["inline.yaml: queue[0].rule: is set twice (also on line 12); keep one (line 13)"],
    ),
    "deep nesting in a flow sequence": (
        HEAD + "queue: " + "[" * 5000 + "]" * 5000 + "\n",
        ["inline.yaml: is nested more than 200 levels deep; refused"],
    ),
    "deep nesting in block sequences": (
        "- " * 5000 + "x\n",
        ["inline.yaml: is nested more than 200 levels deep; refused"],
    ),
    "moderate nesting is not called an alias bomb": (
        HEAD + "queue:\n" + ITEM + "    messages: " + "[" * 250 + "]" * 250 + "\n",
        ["inline.yaml: is nested more than 200 levels deep; refused"],
    ),
    "unclosed quote names where it starts": (
        HEAD + 'queue: "abc\n\nquestions: []\n',
        [
            "inline.yaml: is not valid YAML: found unexpected end of stream "
            "(in a quoted scalar that starts on line 7) (line 10)"
        ],
    ),
    "text with a lone surrogate": (
        "id: \udcff\n",
        ["inline.yaml: is not UTF-8 text"],
    ),
    "a local tag": (
        HEAD + "seed: !secret 12\nqueue:\n" + ITEM,
        ["inline.yaml: the YAML tag !secret is not allowed; scenario files hold plain data only (line 7)"],
    ),
}


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_text_problems(case: str) -> None:
    text, expected = TEXT_CASES[case]
    with pytest.raises(ScenarioFileError) as caught:
        parse_scenario_text(text, "inline.yaml")
    assert [str(p) for p in caught.value.problems] == expected


def test_valid_text_loads() -> None:
    scenario = parse_scenario_text(HEAD + "queue:\n" + ITEM, "inline.yaml", expected_id="inline")
    assert [item.id for item in scenario.scripted_items] == ["c1"]


# ---------------------------------------------------------------- what is read, and how far

MINIMAL = (ROOT / VALID / "minimal.yaml").read_text()


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert _problems(fifo) == [
        f"{fifo}: is a named pipe (FIFO), not a regular file; scenario files must be plain files"
    ]


def test_a_symlink_to_dev_zero_is_refused_before_reading(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert _problems(link) == [f"{link}: is a device, not a regular file; scenario files must be plain files"]


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    link = tmp_path / "minimal.yaml"
    link.symlink_to(ROOT / VALID / "minimal.yaml")
    assert load_scenario_file(link).id == "minimal"


def test_a_folder_given_as_a_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "odd.yaml"
    folder.mkdir()
    assert _problems(folder) == [f"{folder}: is a folder, not a regular file; scenario files must be plain files"]


def test_never_reads_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that grows between the size check and the read is cut off at the limit, then refused."""
    path = tmp_path / "growing.yaml"
    path.write_text(MINIMAL)
    reads: list[int] = []
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        reads.append(n)
        return b"#" * n  # an endless file

    monkeypatch.setattr(os, "read", read)
    assert _problems(path) == [f"{path}: is larger than {MAX_FILE_BYTES:,} bytes; split it up"]
    monkeypatch.setattr(os, "read", real_read)
    assert sum(reads) == MAX_FILE_BYTES + 1


@pytest.mark.parametrize("name", ["a.yml", "b.YAML", "c.Yml"])
def test_yml_and_any_case_are_scenario_files(tmp_path: Path, name: str) -> None:
    stem = Path(name).stem
    (tmp_path / name).write_text(MINIMAL.replace("id: minimal", f"id: {stem}"))
    assert list(load_scenarios([tmp_path]).scenarios) == [stem]


def test_folders_are_read_with_their_subfolders(tmp_path: Path) -> None:
    (tmp_path / "cx" / "deep").mkdir(parents=True)
    (tmp_path / "top.yaml").write_text(MINIMAL.replace("id: minimal", "id: top"))
    (tmp_path / "cx" / "deep" / "nested.yml").write_text(MINIMAL.replace("id: minimal", "id: nested"))
    (tmp_path / "cx" / "notes.txt").write_text("not a scenario")
    assert sorted(load_scenarios([tmp_path]).scenarios) == ["nested", "top"]


def test_a_fifo_in_a_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "stuck.yaml")
    catalog = load_scenarios([tmp_path])
    assert [str(p) for p in catalog.problems] == [
        f"{tmp_path / 'stuck.yaml'}: is a named pipe (FIFO), not a regular file; scenario files must be plain files"
    ]


def test_a_big_file_without_aliases_is_not_called_an_alias_bomb() -> None:
    text = HEAD + "queue:\n" + ITEM + "    labels: [" + ", ".join(["x"] * 100_001) + "]\n"
    with pytest.raises(ScenarioFileError) as caught:
        parse_scenario_text(text, "inline.yaml")
    assert [str(p) for p in caught.value.problems] == ["inline.yaml: has more than 100,000 YAML nodes; refused"]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_libyaml_and_the_pure_python_parser_read_each_builtin_scenario_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = loader._parse(text, path.name, path.stem, yaml.CSafeLoader)
    assert fast == loader._parse(text, path.name, path.stem, yaml.SafeLoader)
