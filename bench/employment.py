"""Employment benchmark: the monthly progress report (EMP-9) for a county of 100,000 registered
poor labourers with 300,000 job recommendations this year, on SQLite and PostgreSQL.

    .venv/bin/python bench/employment.py [--labourers 100000] [--recommendations 300000]
                                         [--backends sqlite,postgresql]

The county is written straight into a fresh, migrated employment database with bulk Core
statements (that set-up is timed apart): households of 2 over the 9 townships of county 532325,
plus 10% surveyed people who are no labourers (too old, unable to work); everyone surveyed,
about 60% trained, some 两后生, 30% placed (local / province / other province), public-welfare
posts about 80% filled, workshop workers, businesses and relocated households. The report is
then computed as the endpoint does (JSON figures), and its XLSX and PNG are timed apart. The
set-up and the report each run in a fresh spawned process per backend, so the report's time and
peak RSS (VmHWM) are its own. Uses
BENCH_DATABASE_URL when set, otherwise starts a throwaway PostgreSQL. Prints figures beside the
aim (≤ 5 s for the figures); asserts nothing about speed."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, database, in_child, peak_rss_mib
from deploy.postgres import LocalPostgres, database_url
from shared.db import drop_database
from shared.ids import make_resident_id

COUNTY = "532325"
TOWNSHIPS = tuple(
    f"{COUNTY}{c}" for c in ("100", "101", "102", "103", "104", "105", "200", "201", "202")
)
MONTH = "2018-06"
ON = date(2018, 6, 30)
TODAY = date(2018, 7, 10)
AIM_S = 5.0
CHUNK = 10_000
VACANCIES = 2_000
ABILITY = ("full", "partial")


def _person(i: int, labourers: int) -> dict[str, Any]:
    town = TOWNSHIPS[i % len(TOWNSHIPS)]
    village = f"{town}{200 + (i // len(TOWNSHIPS)) % 12:03d}"
    # A birth date and a sequence number per person, never the same pair twice (the two age
    # groups' birth dates do not overlap).
    if i < labourers:
        born = date(1960, 7, 1) + timedelta(days=i % 15000)  # 16 to 58 on the day
        sequence = i // 15000
    else:
        born = date(1940, 1, 1) + timedelta(days=(i - labourers) % 5000)  # past working age
        sequence = (i - labourers) // 5000
    return {
        "person_id": f"p{i:07d}", "id_number": make_resident_id(COUNTY, born, sequence, "M"),
        "household_id": f"H{i // 2:07d}", "name": f"人{i}", "sex": "M", "birth_date": born,
        "county_code": COUNTY, "township_code": town, "village_code": village,
        "poverty_status": "exited" if i % 3 == 0 else "not_exited",
        "status_since": date(2016, 1, 1), "source_event_id": "bench",
    }  # fmt: skip


def _rows(n: int, make: Any) -> Any:
    chunk: list[dict[str, Any]] = []
    for i in range(n):
        row = make(i)
        if row is not None:
            chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build(url: str, labourers: int, recommendations: int) -> dict[str, int]:
    """Bulk-write the county; returns the row counts."""
    from sqlalchemy import insert

    from services.employment.business.models import BusinessStart
    from services.employment.census.models import LabourCensusPerson
    from services.employment.jobs.models import JobPlacement, JobRecommendation, JobVacancy
    from services.employment.posts.models import PublicPost, PublicPostAssignment
    from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
    from services.employment.relocation.models import RelocatedHousehold
    from services.employment.training.models import TrainingEnrolment, TrainingProgramme
    from services.employment.workshops.models import PovertyWorkshop, WorkshopWorker
    from shared.db import make_engine

    people = labourers + labourers // 10
    person = [_person(i, labourers) for i in range(people)]
    counts: dict[str, int] = {}
    engine = make_engine(url)

    def put(model: Any, rows: Any) -> None:
        table = model.__table__
        with engine.begin() as conn:
            for chunk in rows:
                conn.execute(insert(table), chunk)
                counts[table.name] = counts.get(table.name, 0) + len(chunk)

    put(RegistryPerson, _rows(people, lambda i: person[i]))
    put(RegistryStatusHistory, _rows(people, lambda i: {
        "person_id": person[i]["person_id"], "status": person[i]["poverty_status"],
        "valid_from": date(2016, 1, 1), "source_event_id": "bench",
    }))  # fmt: skip
    education = ("primary", "junior_high", "senior_high", "primary", "none", "vocational")
    put(LabourCensusPerson, _rows(people, lambda i: {
        "person_id": person[i]["person_id"], "household_id": person[i]["household_id"],
        "surveyed_on": date(2018, 1, 10),
        "work_ability": "none" if i % 25 == 0 or i >= labourers else ABILITY[i % 4 == 1],
        "wishes_to_work": i % 10 != 0, "wishes_to_train": i % 3 != 0, "skills": [],
        "education": education[i % len(education)], "in_school": False,
        "job_location": ("none", "local", "province", "other_province")[i % 4],
        "updated_by": "bench",
    }))  # fmt: skip
    put(TrainingProgramme, _rows(len(TOWNSHIPS), lambda i: {
        "id": i + 1, "county_code": COUNTY, "name": f"培训{i}", "kind": "skills",
        "provider_department": "县人社局", "townships": [TOWNSHIPS[i]], "hours": 80,
        "starts_on": date(2017, 9, 1), "ends_on": date(2018, 6, 1), "assignment_trace": {},
        "created_by": "bench",
    }))  # fmt: skip

    def enrolment(i: int) -> dict[str, Any] | None:
        if i % 10 >= 7:
            return None
        p = person[i]
        completed = date(2017, 10, 1) + timedelta(days=i % 260) if i % 10 < 6 else None
        return {
            "programme_id": 1 + TOWNSHIPS.index(p["township_code"]), "person_id": p["person_id"],
            "household_id": p["household_id"], "county_code": COUNTY,
            "township_code": p["township_code"], "village_code": p["village_code"],
            "enrolled_on": date(2017, 9, 1), "status": "completed" if completed else "enrolled",
            "completed_on": completed, "outcome": "passed" if completed else None,
            "created_by": "bench",
        }  # fmt: skip

    put(TrainingEnrolment, _rows(people, enrolment))
    locations = ("local", "province", "other_province")
    put(JobVacancy, _rows(VACANCIES, lambda i: {
        "id": i + 1, "county_code": COUNTY, "township_code": TOWNSHIPS[i % len(TOWNSHIPS)],
        "employer": f"企业{i}", "location": locations[i % 3], "title": "普工",
        "monthly_wage": 2500, "skills": [], "positions": 20, "opened_on": date(2018, 1, 2),
        "created_by": "bench",
    }))  # fmt: skip
    # 0 to 6 recommendations a person (3 on average at 300,000 for 100,000): 3 in 7 below 3.
    scale = recommendations / (3 * labourers)

    def recommendation(k: int) -> dict[str, Any] | None:
        i, n = divmod(k, 12)
        if n >= round((i % 7) * scale):
            return None
        p = person[i]
        return {
            "vacancy_id": 1 + (i * 7 + n * 131) % VACANCIES, "person_id": p["person_id"],
            "household_id": p["household_id"], "county_code": COUNTY,
            "township_code": p["township_code"], "village_code": p["village_code"],
            "recommended_on": date(2018, 1, 5) + timedelta(days=(i + n * 40) % 170),
            "year": 2018, "created_by": "bench",
        }  # fmt: skip

    put(JobRecommendation, _rows(labourers * 12, recommendation))

    def placement(i: int) -> dict[str, Any] | None:
        if i % 10 >= 3 or i >= labourers:
            return None
        p = person[i]
        return {
            "id": f"J{i:07d}", "person_id": p["person_id"], "household_id": p["household_id"],
            "county_code": COUNTY, "township_code": p["township_code"],
            "village_code": p["village_code"], "employer": "某企业", "location": locations[i % 3],
            "start_on": date(2017, 11, 1) + timedelta(days=i % 200),
            "ended_on": date(2018, 5, 1) if i % 50 == 0 else None, "created_by": "bench",
        }  # fmt: skip

    put(JobPlacement, _rows(people, placement))
    posts = max(1, labourers // 200)
    put(PublicPost, _rows(posts, lambda i: {
        "id": i + 1, "county_code": COUNTY, "township_code": TOWNSHIPS[i % len(TOWNSHIPS)],
        "post_type": "cleaning", "name": f"保洁员{i}", "capacity": 3,
        "opened_on": date(2018, 1, 1), "created_by": "bench",
    }))  # fmt: skip

    def assignment(k: int) -> dict[str, Any] | None:
        post, seat = divmod(k, 3)
        if (post + seat) % 5 == 4:
            return None  # about 80% filled
        i = labourers - 1 - k
        p = person[i]
        return {
            "post_id": post + 1, "person_id": p["person_id"], "household_id": p["household_id"],
            "county_code": COUNTY, "township_code": TOWNSHIPS[post % len(TOWNSHIPS)],
            "village_code": p["village_code"], "start_on": date(2018, 2, 1), "created_by": "bench",
        }  # fmt: skip

    put(PublicPostAssignment, _rows(posts * 3, assignment))
    shops = max(1, labourers // 2000)
    put(PovertyWorkshop, _rows(shops, lambda i: {
        "id": i + 1, "county_code": COUNTY, "township_code": TOWNSHIPS[i % len(TOWNSHIPS)],
        "name": f"扶贫车间{i}", "operator": "合作社", "opened_on": date(2017, 6, 1),
        "created_by": "bench",
    }))  # fmt: skip

    def worker(i: int) -> dict[str, Any] | None:
        if i % 40 != 3 or i >= labourers:
            return None
        p = person[i]
        return {
            "workshop_id": 1 + i % shops, "person_id": p["person_id"],
            "household_id": p["household_id"], "county_code": COUNTY,
            "township_code": p["township_code"], "village_code": p["village_code"],
            "start_on": date(2018, 3, 1), "created_by": "bench",
        }  # fmt: skip

    put(WorkshopWorker, _rows(people, worker))

    def business(i: int) -> dict[str, Any] | None:
        if i % 50 != 7 or i >= labourers:
            return None
        p = person[i]
        return {
            "id": f"B{i:07d}", "person_id": p["person_id"], "household_id": p["household_id"],
            "county_code": COUNTY, "township_code": p["township_code"],
            "village_code": p["village_code"], "business_type": "individual",
            "name": f"小店{i}", "started_on": date(2017, 12, 1), "created_by": "bench",
        }  # fmt: skip

    put(BusinessStart, _rows(people, business))

    def relocated(h: int) -> dict[str, Any] | None:
        if h % 20 != 0:
            return None
        p = person[2 * h]
        return {
            "household_id": p["household_id"], "county_code": COUNTY,
            "township_code": p["township_code"], "village_code": p["village_code"],
            "site": "安置点", "relocated_on": date(2017, 5, 1), "created_by": "bench",
        }  # fmt: skip

    put(RelocatedHousehold, _rows(people // 2, relocated))
    if engine.dialect.name == "sqlite":  # PostgreSQL gathers its statistics by itself
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return counts


def _report(url: str) -> dict[str, Any]:
    from sqlmodel import Session

    from services.employment.report import service
    from services.employment.report.chart import cjk_font, draw
    from services.employment.report.compute import monthly_report
    from services.employment.report.routes import report_out
    from services.employment.report.xlsx import write_report
    from shared.auth import Principal
    from shared.db import make_engine
    from shared.policy import PolicySet
    from shared.roles import Role
    from shared.settings import Settings
    from shared.uow import Publisher, UnitOfWork

    policy = PolicySet.load(Settings().policy_dir)
    cjk_font()  # the font is loaded once per process, not per report
    engine = make_engine(url)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with Session(engine) as session:
        report = monthly_report(session, COUNTY, MONTH, today=TODAY, policy=policy)
        # The county plan's own targets, as the endpoint adds them (no peer service here).
        officer = Principal("county-hrss", frozenset({Role.county_hrss}), COUNTY)
        uow = UnitOfWork(session, officer, policy, Publisher("employment"))
        body = report_out(report, service.targets(uow, report)).model_dump_json()
    timings["figures (JSON)"] = time.perf_counter() - start
    mark = time.perf_counter()
    xlsx = write_report(report)
    timings["xlsx"] = time.perf_counter() - mark
    mark = time.perf_counter()
    png = draw(report)
    timings["png"] = time.perf_counter() - mark
    engine.dispose()
    total = {k: f.value for k, f in report.total.figures.items()}
    return {
        "timings": timings,
        "json_kib": len(body) / 1024,
        "xlsx_kib": len(xlsx) / 1024,
        "png_kib": len(png) / 1024,
        "total": total,
    }


def setup_backend(url: str, labourers: int, recommendations: int, out: Any) -> None:
    try:
        from shared.migrations import upgrade

        upgrade("employment", url)
        start = time.perf_counter()
        counts = build(url, labourers, recommendations)
        setup = time.perf_counter() - start
        print(f"  set-up {setup:.1f} s: {counts}", file=sys.stderr)
        out.put(("ok", {"setup_s": setup, "setup_peak_mib": peak_rss_mib()}))
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def report_backend(url: str, out: Any) -> None:
    """In its own process, so that the peak RSS is the report's (and the interpreter's)."""
    try:
        before = peak_rss_mib()
        figures = _report(url)
        figures.update(rss_before_mib=before, peak_mib=peak_rss_mib())
        out.put(("ok", figures))
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labourers", type=int, default=100_000)
    parser.add_argument("--recommendations", type=int, default=300_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    pg: LocalPostgres | None = None
    admin = os.environ.get("BENCH_DATABASE_URL")
    results: dict[str, dict[str, Any]] = {}
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-employment-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite:///{tmp}/employment.db"
            else:
                if admin is None:
                    pg = LocalPostgres()
                    pg.start()
                    admin = pg.url
                url = database_url(admin, f"bench_emp_{uuid.uuid4().hex[:8]}")
            print(f"{backend}: monthly report", file=sys.stderr)
            setup = in_child(setup_backend, url, args.labourers, args.recommendations)
            results[backend] = {**in_child(report_backend, url), **setup}
            if backend != "sqlite":
                drop_database(url)
    finally:
        if pg is not None:
            pg.stop()
        for f in tmp.glob("*"):
            f.unlink()
        tmp.rmdir()

    print(
        f"\nMonthly report (EMP-9), {args.labourers:,} labourers, about "
        f"{args.recommendations:,} recommendations (aim ≤ {AIM_S:.0f} s for the figures)"
    )
    for backend, f in results.items():
        t = f["timings"]
        figures = t["figures (JSON)"]
        print(
            f"  {backend:10s} figures {figures:.2f} s (ratio to aim {figures / AIM_S:.2f}); "
            f"xlsx {t['xlsx']:.2f} s; png {t['png']:.2f} s; JSON {f['json_kib']:.0f} KiB, "
            f"XLSX {f['xlsx_kib']:.0f} KiB, PNG {f['png_kib']:.0f} KiB; peak RSS "
            f"{f['peak_mib']:.0f} MiB (before the report {f['rss_before_mib']:.0f} MiB); "
            f"set-up {f['setup_s']:.1f} s in its own process"
        )
        total = f["total"]
        print(
            "             county: "
            + ", ".join(
                f"{k} {total[k]}"
                for k in (
                    "labourers",
                    "training_rate",
                    "placement_rate",
                    "recommendations",
                    "below_minimum",
                    "in_work",
                    "post_occupancy",
                    "relocated_without_work",
                )
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


MILLION_AIM_S = 10.0


def employment_rows(labourers: int, backends: list[str]) -> list[Row]:
    """The monthly-report rows of the performance table: the EMP-9 figures for `labourers`
    registered poor labourers (three recommendations each) per backend."""
    rows = []
    for backend in backends:
        with database(backend, "employment") as url:
            setup = in_child(setup_backend, url, labourers, labourers * 3)
            figures = {**in_child(report_backend, url), **setup}
        seconds = figures["timings"]["figures (JSON)"]
        aim = MILLION_AIM_S if backend == "postgresql" else None
        rows.append(
            Row(
                f"employment monthly report, {labourers:,} labourers",
                backend,
                f"{seconds:.1f} s, peak RSS {figures['peak_mib']:,.0f} MiB",
                goal=f"<= {aim:.0f} s for 1M labourers" if aim else "",
                met=(seconds <= aim and labourers >= 1_000_000) if aim else None,
            )
        )
    return rows
