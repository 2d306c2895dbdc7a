"""The cross-check run (WEL-8) narrows the registry before applying the pure rule: in SQL (两无 by
the facts, exited, or a status changed after the date) and in Python (`could_be_reported`).
Both must never drop a person the rule would report: checked over every combination of facts,
and a run over a database of all of them is compared with the rule applied to each person."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from services.welfare.crosscheck.models import CrossCheckFinding, EconomicFacts
from services.welfare.crosscheck.rules import RegistryPerson as Facts
from services.welfare.crosscheck.rules import cross_check
from services.welfare.crosscheck.run import could_be_reported, run_crosscheck
from services.welfare.dibao.rules import WorkAbility
from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from services.welfare.tekun.models import TekunCase
from shared.auth import Principal
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.migrations import upgrade
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params
from shared.uow import Publisher, UnitOfWork

POLICY = PolicySet.load(Settings().policy_dir)
COUNTY = "532325"
ON = date(2026, 3, 5)
WELFARE = Publisher("welfare")
EXITS = (None, date(2025, 12, 20), date(2025, 1, 1))  # unknown, recent, long ago


def combos() -> list[tuple]:
    return list(
        itertools.product(
            (True, False),  # has income
            tuple(WorkAbility),
            tuple(PovertyStatus),
            (True, False),  # on dibao
            (True, False),  # on tekun
            EXITS,
        )
    )


def test_the_filter_never_drops_a_reported_person() -> None:
    params = Params(POLICY, COUNTY, ON)
    reported = 0
    for income, ability, status, dibao, tekun, exited_on in combos():
        facts = Facts(
            person_id="p", household_id="h", division_code="532325100201",
            poverty_status=status, has_income=income, work_ability=ability,
            on_dibao=dibao, on_tekun=tekun,
            exited_on=exited_on if status is PovertyStatus.exited else None,
        )  # fmt: skip
        two_without = not income and ability is WorkAbility.none
        if cross_check(facts, ON, params) is not None:
            reported += 1
            assert could_be_reported(two_without, status, dibao, tekun), facts
    assert reported > 0


def test_a_run_finds_what_the_rule_finds_for_everyone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/welfare.db"
    upgrade("welfare", url)
    engine = make_engine(url)
    dibao: set[str] = set()
    expected: set[tuple[str, str]] = set()
    params = Params(POLICY, COUNTY, ON)
    with Session(engine) as s:
        for i, (income, ability, status, on_dibao, on_tekun, exited_on) in enumerate(
            [*combos(), *((None, None, PovertyStatus.exited, True, False, e) for e in EXITS)]
        ):
            pid = f"p{i}"
            since = exited_on if status is PovertyStatus.exited and exited_on else date.min
            s.add(
                RegistryPerson(
                    person_id=pid, id_number=make_resident_id(COUNTY, date(1950, 1, 1), i, "M"),
                    household_id=f"h{i}", name=f"n{i}", sex="M", birth_date=date(1950, 1, 1),
                    county_code=COUNTY, township_code="532325100", village_code="532325100201",
                    poverty_status=status.value, status_since=since, source_event_id="t",
                )
            )  # fmt: skip
            s.add(
                RegistryStatusHistory(
                    person_id=pid, status=status.value, valid_from=since, source_event_id="t"
                )
            )
            if income is not None:
                s.add(
                    EconomicFacts(
                        person_id=pid, work_ability=ability.value, has_income=income,
                        source="t", updated_by="t",
                    )
                )  # fmt: skip
            if on_dibao:
                dibao.add(pid)
            if on_tekun:
                s.add(
                    TekunCase(
                        person_id=pid, household_id=f"h{i}", county_code=COUNTY,
                        township_code="532325100", village_code="532325100201", route="direct",
                        status="certified", effective_from=date(2020, 1, 1),
                    )
                )  # fmt: skip
            facts = Facts(
                person_id=pid, household_id=f"h{i}", division_code="532325100201",
                poverty_status=status,
                has_income=True if income is None else income,
                work_ability=WorkAbility.full if ability is None else ability,
                on_dibao=on_dibao, on_tekun=on_tekun,
                exited_on=since if since > date.min else None,
            )  # fmt: skip
            finding = cross_check(facts, ON, params)
            if finding is not None:
                expected.add((pid, finding.kind.value))
        s.commit()
        uow = UnitOfWork(s, Principal(subject="t", roles=frozenset(), scope=""), POLICY, WELFARE)
        run = run_crosscheck(uow, COUNTY, ON, dibao=lambda *_: dibao)
        s.commit()
        got = {
            (f.person_id, f.kind)
            for f in s.exec(select(CrossCheckFinding).where(CrossCheckFinding.run_id == run.id))
        }
    engine.dispose()
    assert got == expected and run.findings == len(expected) > 0
