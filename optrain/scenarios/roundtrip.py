"""Changing a scenario file the way an author would: in place, keeping comments, key order,
block scalars and quoting.

ruamel.yaml's round-trip mode gives each key its line and column in the source, so the
one value that changes is rewritten where it stands and every other byte stays. The
text is validated with the safe loader first (`parse_scenario_text`); this module only
ever edits text that passed.
"""

from __future__ import annotations

import io

from ruamel.yaml import YAML

from optrain.errors import ScenarioError


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def set_version(text: str, version: int) -> str:
    """The same text with its top-level `version:` value replaced by `version`."""
    data = _round_trip().load(io.StringIO(text))
    if not hasattr(data, "lc") or "version" not in data:
        raise ScenarioError("The scenario has no top-level version to update.")
    line, column = data.lc.value("version")
    lines = text.splitlines(keepends=True)
    current = lines[line]
    old = str(data["version"])
    if current[column : column + len(old)] != old:
        raise ScenarioError("The scenario's version is not written as a plain number; write it as version: 1.")
    lines[line] = current[:column] + str(version) + current[column + len(old) :]
    return "".join(lines)
