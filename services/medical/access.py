"""Who may post and read the medical service's records: hospitals post within their county,
county officers and auditors read within their jurisdiction. A record outside the caller's
jurisdiction answers 404 (no existence leak); a role that may not do the thing at all, 403."""

from __future__ import annotations

from shared.auth import Principal, Role
from shared.errors import Forbidden, NotFound

BILL_POSTERS = (Role.hospital,)
BILL_READERS = (Role.county_medical, Role.auditor)


def check_post_county(principal: Principal, county: str) -> None:
    """A hospital posts for the county its token covers; naming another county is refused
    (the caller chose the county, so nothing leaks by saying so)."""
    if not principal.covers(county) and not (
        principal.scope and county.startswith(principal.scope)
    ):
        raise Forbidden(f"county {county} is outside your jurisdiction")


def check_reader(principal: Principal, what: str, *, hospital_too: bool = False) -> None:
    roles = (*BILL_READERS, Role.hospital) if hospital_too else BILL_READERS
    if not principal.has(*roles, Role.admin):
        raise Forbidden(f"your role may not read {what}")


def guard_record(principal: Principal, county: str, submitted_by: str, what: str) -> None:
    """A hospital sees what it posted; officers what lies in their jurisdiction; else 404."""
    officer = principal.has(*BILL_READERS, Role.admin)
    if not officer and principal.has(Role.hospital):
        if submitted_by != principal.subject or not principal.covers(county):
            raise NotFound(f"no {what} with that id")
        return
    if not principal.covers(county) and not county.startswith(principal.scope[:6]):
        raise NotFound(f"no {what} with that id")
