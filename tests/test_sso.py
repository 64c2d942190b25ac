"""Single sign-on roles from the role map: by verified e-mail or by group, nothing for anyone else."""

from __future__ import annotations

from pathlib import Path

import pytest

from optrain.accounts import AccountError
from optrain.sso import parse_role_map, read_role_map, roles_for

ROLE_MAP = parse_role_map(
    {
        "emails": {"Riley.Chen@Shop.example": ["trainee", "trainer"]},
        "groups": {"ots-admins": ["admin"], "ots-support": ["trainee", "support"]},
    }
)


@pytest.mark.parametrize(
    ("claims", "roles"),
    [
        ({"email": "riley.chen@shop.example"}, ("trainee", "trainer")),
        ({"email": "RILEY.CHEN@shop.example ", "email_verified": True}, ("trainee", "trainer")),
        ({"email": "riley.chen@shop.example", "email_verified": False}, ()),
        ({"email": "sam@shop.example", "groups": ["ots-support", "marketing"]}, ("trainee", "support")),
        ({"email": "riley.chen@shop.example", "groups": ["ots-admins"]}, ("trainee", "trainer", "admin")),
        ({"email": "sam@shop.example", "groups": "ots-admins"}, ("admin",)),
        ({"email": "stranger@elsewhere.example", "groups": ["marketing"]}, ()),
        ({}, ()),
        ({"email": ["riley.chen@shop.example"], "groups": [1, None]}, ()),
    ],
)
def test_roles_by_verified_e_mail_and_group(claims: dict[str, object], roles: tuple[str, ...]) -> None:
    assert roles_for(ROLE_MAP, claims) == roles


def test_the_groups_claim_can_be_named() -> None:
    role_map = parse_role_map({"groups_claim": "roles", "groups": {"ots": ["trainee"]}})
    assert roles_for(role_map, {"roles": ["ots"], "groups": []}) == ("trainee",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"emails": {"a@b.example": ["boss"]}}, "emails.a@b.example: expected a list of roles"),
        ({"groups": {"g": []}}, "groups.g: expected a list of roles"),
        ({"group": {"g": ["trainee"]}}, "unknown key(s) group"),
        ({"groups": ["g"]}, "groups must map names to lists of roles"),
        (["trainee"], "expected 'emails' and/or 'groups' mappings"),
    ],
)
def test_a_bad_role_map_names_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(AccountError) as caught:
        parse_role_map(data, "sso_roles.yaml")
    assert message in str(caught.value) and str(caught.value).startswith("sso_roles.yaml: ")


def test_a_missing_role_map_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(AccountError, match="single sign-on needs a role map"):
        read_role_map(tmp_path / "nope.yaml")
