"""Who may post and read the medical service's records: hospitals post within their county,
county officers and auditors read within their jurisdiction. A record outside the caller's
jurisdiction answers 404 (no existence leak); a role that may not do the thing at all, 403."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from sqlmodel import SQLModel

from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.repository import ScopedRepository
from shared.roles import Role

M = TypeVar("M", bound=SQLModel)

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


def guard(repository: ScopedRepository[Any], row: Any) -> None:
    """A row outside the repository's jurisdiction is reported as missing (404), never 403."""
    if not repository.visible(row):
        raise NotFound(repository.missing)


class PostedRecords(ScopedRepository[M]):
    """Records a hospital posts (with `county_code` and `submitted_by`): a hospital sees what it
    posted in its county; officers what lies in their county."""

    division = "county_code"
    county_wide = True
    # The column naming the account that posted the record.
    poster: ClassVar[str] = "submitted_by"

    def visible(self, row: M) -> bool:
        principal = self.principal
        officer = principal is None or principal.has(*BILL_READERS, Role.admin)
        if principal is not None and not officer and principal.has(Role.hospital):
            return getattr(row, self.poster) == principal.subject and principal.covers(
                getattr(row, self.division)
            )
        return super().visible(row)
