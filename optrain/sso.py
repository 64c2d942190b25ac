"""Single sign-on roles: who gets which role when people sign in through OpenID Connect (`st.login`).

The identity comes from the team's provider; the roles come from a small YAML
file the admins keep (the provider knows nothing of trainees and trainers):

```yaml
groups_claim: groups          # optional: the ID-token claim that lists a person's groups
emails:                       # e-mail address (any case) -> roles
  riley.chen@shop.example: [trainee, trainer]
groups:                       # group name -> roles
  ots-trainees: [trainee]
  ots-admins: [admin]
```

A person gets every role their e-mail and groups map to; nobody mapped gets
no access (the app says so and offers to sign out). An e-mail the provider
marks unverified (`email_verified: false`) maps nothing. The file is read on
every page run (cached by its modification time), so a change applies at each
person's next click. This module does not import streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from optrain.accounts import ROLES, AccountError


@dataclass(frozen=True)
class RoleMap:
    emails: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, tuple[str, ...]]
    groups_claim: str = "groups"


def _roles(where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(r, str) and r in ROLES for r in value):
        raise AccountError(f"{where}: expected a list of roles from {', '.join(ROLES)} (got {value!r})")
    return tuple(dict.fromkeys(value))


def parse_role_map(data: object, source: str = "role map") -> RoleMap:
    if not isinstance(data, dict):
        raise AccountError(f"{source}: expected 'emails' and/or 'groups' mappings")
    unknown = sorted(set(data) - {"emails", "groups", "groups_claim"})
    if unknown:
        raise AccountError(
            f"{source}: unknown key(s) {', '.join(map(str, unknown))} (expected emails, groups, groups_claim)"
        )
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    for section in ("emails", "groups"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise AccountError(f"{source}: {section} must map names to lists of roles")
        sections[section] = {
            (str(name).strip().lower() if section == "emails" else str(name)): _roles(
                f"{source}: {section}.{name}", roles
            )
            for name, roles in entries.items()
        }
    claim = data.get("groups_claim", "groups")
    if not isinstance(claim, str) or not claim:
        raise AccountError(f"{source}: groups_claim must be the name of a claim, e.g. groups")
    return RoleMap(emails=sections["emails"], groups=sections["groups"], groups_claim=claim)


def read_role_map(path: Path) -> RoleMap:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccountError(f"{path} does not exist: single sign-on needs a role map (see the README)") from None
    except (OSError, yaml.YAMLError) as exc:
        raise AccountError(f"{path} cannot be read: {exc}") from None
    return parse_role_map(data, str(path))


def roles_for(role_map: RoleMap, claims: Mapping[str, Any]) -> tuple[str, ...]:
    """Every role the identity's verified e-mail and groups map to, in the app's order; () for none."""
    found: set[str] = set()
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified") is not False:
        found.update(role_map.emails.get(email.strip().lower(), ()))
    groups = claims.get(role_map.groups_claim)
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, list):
        for group in groups:
            if isinstance(group, str):
                found.update(role_map.groups.get(group, ()))
    return tuple(r for r in ROLES if r in found)
