"""`make run` prints a local bearer token for every role, each with a jurisdiction it can act in."""

from __future__ import annotations

from deploy.launcher import LOCAL_TOKEN_ROLES
from shared.ids import parse_division_code
from shared.roles import Role


def test_a_local_token_for_every_role() -> None:
    assert {role for role, _ in LOCAL_TOKEN_ROLES} == set(Role)


def test_local_scopes_are_division_codes_of_the_synthetic_county() -> None:
    for role, scope in LOCAL_TOKEN_ROLES:
        if role is Role.admin:
            assert scope == ""
            continue
        assert scope.startswith("532325") and parse_division_code(scope)
