"""A county's parameter set proposed by one officer and published by a second (four eyes), as
the recalculation tests publish figures after the fact."""

from __future__ import annotations

from typing import Any

PUBLICATIONS = "/v1/policy/publications"


def figure(path: str, value: str, effective: str, reference: str) -> dict[str, str]:
    return {"path": path, "effective_from": effective, "value": value, "reference": reference}


async def publish_set(
    client: Any,
    county: str,
    reason: str,
    items: list[dict[str, str]],
    proposer: dict[str, str],
    approver: dict[str, str],
) -> dict[str, Any]:
    """The decision's answer (with its `recalculation`)."""
    body = {"county_code": county, "reason": reason, "items": items}
    proposed = await client.post(PUBLICATIONS, json=body, headers=proposer)
    assert proposed.status_code == 201, proposed.text
    decided = await client.post(
        f"{PUBLICATIONS}/{proposed.json()['id']}/decision",
        json={"approve": True},
        headers=approver,
    )
    assert decided.status_code == 200, decided.text
    return dict(decided.json())
