"""Who may do what in job recommendation, posts, workshops, entrepreneurship and relocation
(EMP-3 .. EMP-6, EMP-8). The county HR & social security bureau (县人社局) runs employment; township
officers and village cadres record in their scope; the auditor and the poverty office read.

Jurisdiction: a record about a person lies in the person's village; a vacancy, post, workshop or
fair in its county / township / village. Out of scope answers 404 (Principal.guard), a role that
may not act answers 403."""

from __future__ import annotations

from services.employment.repository import covers_area
from shared.auth import Principal
from shared.errors import Forbidden
from shared.roles import Role

READERS = (
    Role.county_hrss,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.county_poverty,
    Role.service,
)
RECORDERS = (Role.county_hrss, Role.township_officer, Role.village_cadre)
ORGANISERS = (Role.county_hrss, Role.township_officer)  # vacancies, fairs, posts, workshops
COUNTY = (Role.county_hrss,)  # subsidies, loan decisions, imports


def can_read(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read employment records")


def guard_area(principal: Principal, code: str) -> None:
    """A county-wide record is visible to everyone whose scope lies inside the county; a
    township's or village's record to scopes covering it or inside it."""
    if not covers_area(principal.scope, code):
        principal.guard(code)
