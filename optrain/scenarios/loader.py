"""YAML -> validated Scenario, reporting every error of every file with its place.

Files are read with PyYAML's safe loader only (its libyaml parser when present). Oversized files and "billion
laughs" alias bombs are refused before anything is constructed, and one broken
file never stops the others from loading.
"""

from __future__ import annotations

import os
import re
import stat
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from optrain.errors import ScenarioError
from optrain.scenarios.checks import check_scenario
from optrain.scenarios.model import QUEUE_TAGS, GeneratedBlock, Scenario
from optrain.scenarios.problems import Problem, did_you_mean, format_path

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 200
SCENARIO_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Catalog:
    """The valid scenarios of a folder (by id) and the problems of the broken files."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def broken_files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.file for p in self.problems))


class ScenarioFileError(ScenarioError):
    """A scenario file has one or more problems; all of them are attached."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_scenarios(paths: Iterable[Path | str]) -> Catalog:
    """Load every `.yaml`/`.yml` file (any case) in the given folders, their subfolders, and the
    given files; never raises for a bad file."""
    scenarios: dict[str, Scenario] = {}
    problems: list[Problem] = []
    origin: dict[str, str] = {}
    for file in scenario_files(paths):
        try:
            scenario = load_scenario_file(file)
        except ScenarioFileError as exc:
            problems.extend(exc.problems)
            continue
        if scenario.id in scenarios:
            problems.append(Problem(str(file), "id", f"'{scenario.id}' is already defined in {origin[scenario.id]}"))
            continue
        scenarios[scenario.id] = scenario
        origin[scenario.id] = str(file)
    return Catalog(scenarios=scenarios, problems=tuple(problems))


def is_scenario_name(path: Path) -> bool:
    return path.suffix.lower() in SCENARIO_SUFFIXES


def scenario_files(paths: Iterable[Path | str]) -> list[Path]:
    """The scenario files of the given folders (subfolders too, sorted) and the given files.

    Anything with a scenario suffix that is not a folder is listed, so that a FIFO
    or a device named `x.yaml` is refused with a message rather than skipped.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if is_scenario_name(p) and not p.is_dir()))
        else:
            files.append(path)
    return files


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_scenario_bytes(path: Path | str) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, never reading past the limit.

    Opened without blocking (a FIFO would wait for a writer) and checked on the open
    descriptor, so a symlink to /dev/zero or a pipe is refused before anything is read.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ScenarioFileError([Problem(name, "", f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioFileError(
                [
                    Problem(
                        name,
                        "",
                        f"is {_file_kind(info.st_mode)}, not a regular file; scenario files must be plain files",
                    )
                ]
            )
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioFileError(
                [
                    Problem(
                        name, "", f"is {info.st_size:,} bytes; scenario files are limited to {MAX_FILE_BYTES:,} bytes"
                    )
                ]
            )
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise ScenarioFileError([Problem(name, "", f"cannot be read: {exc.strerror or exc}")]) from None
    finally:
        os.close(fd)
    if total > MAX_FILE_BYTES:  # it grew while being read
        raise ScenarioFileError([Problem(name, "", f"is larger than {MAX_FILE_BYTES:,} bytes; split it up")])
    return b"".join(chunks)


def load_scenario_file(path: Path | str) -> Scenario:
    """Read and validate one file; the id must equal the file name without .yaml or .yml."""
    path = Path(path)
    name = str(path)
    data = read_scenario_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioFileError([Problem(name, "", "is not UTF-8 text")]) from None
    return parse_scenario_text(text, name, expected_id=path.stem if is_scenario_name(path) else None)


def parse_scenario_text(text: str, name: str, expected_id: str | None = None) -> Scenario:
    """Validate scenario YAML held in memory (uploads, pasted text, files)."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise ScenarioFileError([Problem(name, "", "is not UTF-8 text")]) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioFileError([Problem(name, "", f"is larger than {MAX_FILE_BYTES:,} bytes; split it up")])
    if _FAST_PARSER is not None:
        try:
            return _parse(text, name, expected_id, _FAST_PARSER)
        except ScenarioFileError:
            pass  # told again below by the pure-Python parser, whose messages and lines are the documented ones
    return _parse(text, name, expected_id, yaml.SafeLoader)


# libyaml's parser, when PyYAML has it: the built-in curriculum parses in 34 ms instead of 474 ms (app start,
# every CLI command). It caps nesting itself; its messages and marks differ, hence the second pass above.
_FAST_PARSER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _parse(text: str, name: str, expected_id: str | None, parser: type[yaml.SafeLoader]) -> Scenario:
    root = _compose(text, name, parser)
    data = _construct(root, name)
    if not isinstance(data, dict):
        raise ScenarioFileError(
            [Problem(name, "", "must be a mapping of scenario fields (id, title, version, ...)", 1)]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioFileError(_pydantic_problems(exc, name, root)) from None
    found = [
        Problem(name, format_path(loc), message, _variable_line(root, loc, message) or _line_of(root, loc))
        for loc, message in check_scenario(scenario)
    ]
    if expected_id is not None and scenario.id != expected_id:
        found.insert(
            0,
            Problem(
                name,
                "id",
                f"'{scenario.id}' does not match the file name; set id: {expected_id} "
                f"or rename the file to {scenario.id}{Path(name).suffix}",
                _line_of(root, ("id",)),
            ),
        )
    if found:
        raise ScenarioFileError(found)
    return scenario


# ---------------------------------------------------------------- YAML


class _TooDeep(Exception):
    """Nesting deeper than MAX_DEPTH; no scenario needs it and PyYAML recurses per level."""


def _compose(text: str, name: str, parser: type[yaml.SafeLoader]) -> yaml.Node | None:
    too_deep = Problem(name, "", f"is nested more than {MAX_DEPTH} levels deep; refused")
    try:
        root = yaml.compose(text, Loader=parser)
    except RecursionError:
        raise ScenarioFileError([too_deep]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or "syntax error"
        start = exc.context_mark
        if exc.context and start is not None and mark is not None and start.line != mark.line:
            opened = exc.context.removeprefix("while parsing ").removeprefix("while scanning ")
            reason += f" (in {opened} that starts on line {start.line + 1})"
        raise ScenarioFileError([Problem(name, "", f"is not valid YAML: {reason}", line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioFileError([Problem(name, "", f"is not valid YAML: {exc}")]) from None
    if root is None:
        raise ScenarioFileError([Problem(name, "", "is empty; a scenario needs id, title, version, module, ...")])
    try:
        expanded = _expanded_size(root)
    except _TooDeep:
        raise ScenarioFileError([too_deep]) from None
    if expanded > MAX_NODES:
        how = (
            "expands to more than {:,} YAML nodes through aliases"
            if _uses_aliases(root)
            else "has more than {:,} YAML nodes"
        )
        raise ScenarioFileError([Problem(name, "", how.format(MAX_NODES) + "; refused")])
    duplicates = list(_duplicate_keys(root, name))
    if duplicates:
        raise ScenarioFileError(duplicates)
    return root


def _duplicate_keys(root: yaml.Node, name: str) -> Iterator[Problem]:
    """Keys set twice in one mapping: YAML keeps the last silently, so the first edit would be lost."""
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, loc: tuple[object, ...]) -> Iterator[Problem]:
        if id(node) in seen_nodes:
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                yield from walk(child, (*loc, index))
        elif isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key, value in node.value:
                label, line = (key.value if isinstance(key, yaml.ScalarNode) else ""), key.start_mark.line + 1
                if label in first_line:
                    message = f"is set twice (also on line {first_line[label]}); keep one"
                    yield Problem(name, format_path((*loc, label)), message, line)
                elif label:
                    first_line[label] = line
                yield from walk(value, (*loc, label) if label else loc)

    return walk(root, ())


def _uses_aliases(root: yaml.Node) -> bool:
    """Whether any node is reached twice (an alias), so a message about aliases fits the file."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return False


def _expanded_size(root: yaml.Node) -> int:
    """Count nodes with aliases expanded, memoised, stopping as soon as the cap is passed."""
    memo: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _TooDeep
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = MAX_NODES + 1  # a node that contains itself is a bomb too
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                break
        memo[key] = total
        return total

    return size(root, 0)


def _construct(root: yaml.Node | None, name: str) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "cannot be constructed"
        if problem == "found unhashable key":
            problem = "a key must be plain text, not a list or a mapping"
        elif "could not determine a constructor for the tag" in problem:
            problem = f"the YAML tag {_short_tag(problem)} is not allowed; scenario files hold plain data only"
        raise ScenarioFileError([Problem(name, "", problem, line)]) from None
    finally:
        loader.dispose()


def _short_tag(problem: str) -> str:
    """ "...for the tag 'tag:yaml.org,2002:python/object'" -> "!!python/object", as authors write it."""
    match = re.search(r"'([^']*)'", problem)
    tag = match.group(1) if match else problem.rsplit(" ", 1)[-1]
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


_UNKNOWN_VARIABLE = re.compile(r"^unknown variable (\{\{\S+?\}\})")


def _variable_line(root: yaml.Node | None, loc: Iterable[object], message: str) -> int | None:
    """For an unknown template variable, the line of the body it is written on (bodies are long)."""
    match = _UNKNOWN_VARIABLE.match(message)
    node = _node_at(root, loc)
    if match is None or not isinstance(node, yaml.ScalarNode) or node.start_mark.buffer is None:
        return None
    source = node.start_mark.buffer[node.start_mark.index : node.end_mark.index]
    needle = match.group(1)[2:-2]
    for offset, text in enumerate(source.split("\n")):
        if re.search(r"\{\{\s*" + re.escape(needle) + r"\s*\}\}", text):
            return node.start_mark.line + offset + 1
    return None


def _node_at(root: yaml.Node | None, loc: Iterable[object]) -> yaml.Node | None:
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        elif not (isinstance(part, str) and part in QUEUE_TAGS):
            return None
    return node


def _key_line(root: yaml.Node | None, loc: Iterable[object], key: object) -> int | None:
    """The line of a key that is not text (a number, a date) in the mapping at loc."""
    node = _node_at(root, loc)
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                return k.start_mark.line + 1
    return None


def _line_of(root: yaml.Node | None, loc: Iterable[object]) -> int | None:
    """The 1-based line of the YAML node at a model location, or of its nearest parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if node is None:
            break
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        elif isinstance(part, str) and part in QUEUE_TAGS:
            continue
        node = child
    return line


# ---------------------------------------------------------------- pydantic errors


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the markers pydantic inserts: union tags (queue.2.conversation.expected ->
    queue.2.expected) and '[key]' for a bad dict key (the message already names the key)."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if (i == 2 and loc[0] == "queue" and part in QUEUE_TAGS) or part == "[key]":
            continue
        out.append(part)
    return tuple(out)


def _pydantic_problems(exc: ValidationError, name: str, root: yaml.Node | None) -> list[Problem]:
    problems: list[Problem] = []
    errors = exc.errors()
    for err in errors:
        if _is_echo(err, errors):
            continue
        loc = _clean_loc(tuple(err["loc"]))
        message = _message(err, _model_at(loc, err["loc"]))
        line: int | None = None
        if err["type"] == "invalid_key":
            loc = loc[:-1]  # the key is not a name, so the problem belongs to its mapping
            line = _key_line(root, loc, err.get("input"))
        problems.append(Problem(name, format_path(loc), message, line or _line_of(root, loc)))
    return sorted(problems, key=lambda p: p.line or 0)  # in file order, as the author reads it


def _is_echo(err: Any, errors: Sequence[Any]) -> bool:
    """A list that is 'too short' only because its own entries failed: those errors say why."""
    loc = tuple(err["loc"])
    return err["type"] == "too_short" and any(
        len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc for other in errors
    )


def _message(err: Any, model: type[BaseModel] | None) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = err["loc"][-1]
        fields = list(model.model_fields) if model else []
        hint = did_you_mean(key, fields)
        return f"unknown key '{key}'" + (hint or (f"; allowed keys: {', '.join(fields)}" if fields else ""))
    if kind == "invalid_key":
        fields = list(model.model_fields) if model else []
        return f"the key {_show(value)} is not text; keys are field names" + (
            f" such as {', '.join(fields)}" if fields else ""
        )
    if kind == "missing":
        return "is required but missing"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        return f"{_show(value)} is not one of: {', '.join(choices)}" + did_you_mean(value, choices)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        limit = next(iter(ctx.values()), "")
        return f"must be {words} {limit}, got {_show(value)}"
    if kind == "too_short":
        if isinstance(value, (list, tuple, dict)) and not value:
            return "must not be empty"
        return f"is too short (at least {ctx.get('min_length')})"
    if kind == "too_long":
        return f"is too long (at most {ctx.get('max_length')})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long: {len(str(value)):,} characters, at most {ctx.get('max_length'):,}"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number, got {_show(value)}"
    if kind == "finite_number":
        return f"must be a finite number, got {_show(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number, got {_show(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, got {_show(value)}"
    if kind in ("string_type",):
        return f"must be text, got {_show(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of keys, got {_show(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, got {_show(value)}"
    if kind == "queue_entry":
        return str(err["msg"])
    if kind == "timezone_aware":
        return "needs a time zone, e.g. 2026-06-05T14:00:00Z"
    if kind == "datetime_parsing" or kind == "datetime_from_date_parsing":
        return f"must be a date and time like 2026-06-05T14:00:00Z, got {_show(value)}"
    msg = str(err["msg"])
    return msg[:1].lower() + msg[1:]


def _show(value: Any) -> str:
    """A value as the author wrote it in YAML: 'text' quoted, true/false, .nan and .inf."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return ".nan" if value != value else (".inf" if value > 0 else "-.inf")
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes reachable from one annotation (Optional, tuple, dict, Union, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, UnionType, tuple, list, dict):
        args = typing.get_args(annotation)
        if origin is dict:
            args = args[1:]
        found: list[Any] = []
        for arg in args:
            if arg is not Ellipsis:
                found.extend(_unwrap(arg))
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _model_at(loc: tuple[Any, ...], raw_loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose field set applies at the parent of loc (for did-you-mean on unknown keys)."""
    tags = [p for i, p in enumerate(raw_loc) if i == 2 and raw_loc[0] == "queue" and p in QUEUE_TAGS]
    current: list[Any] = [Scenario]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        nxt: list[Any] = []
        for model in current:
            info = model.model_fields.get(part)
            if info is not None:
                nxt.extend(_unwrap(info.annotation))
        if part == "queue" and tags:
            nxt = [
                m
                for m in nxt
                if getattr(m, "model_fields", {}).get("kind") is not None
                and tags[0] in str(m.model_fields["kind"].annotation)
            ] or ([GeneratedBlock] if tags[0] == "generated" else nxt)
        current = nxt
    return current[0] if len(current) == 1 else None
