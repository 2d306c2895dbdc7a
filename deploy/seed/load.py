"""Load a synthetic county into running services through their own HTTP interfaces, in the
order the departments would: the poverty office's roster (enrollment), the insurance rolls
(enrollment), then, once the registry events have reached the other services, the labour census
and the year of training, job recommendations, placements, public-welfare posts and workshops
that follows it (employment), a year of hospital stays (medical), 特困 certifications and dibao
households through their whole procedure (welfare). No service's database is touched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import httpx

from deploy.seed import employment
from deploy.seed.client import (
    TIMEOUT,
    UNKNOWN_PERSON,
    Endpoints,
    SeedError,
    Tokens,
    bounded,
    detail,
    problem,
    upload_job,
    wait_until,
)
from deploy.seed.county import County, files
from deploy.seed.divisions import COUNTY_CODE

SENTINELS = 60  # the last households of the roster: once they are known, all are (key order)
NOTICE_DAYS_BACK = 30  # the dibao notice starts this many days before loading, so it has ended


def registered_people(endpoints: Endpoints, secret: str | None, year: int) -> int:
    """People of the county in enrollment's registry (the medical reconciliation's base)."""
    tokens = Tokens(secret, COUNTY_CODE)
    response = httpx.get(
        f"{endpoints.enrollment}/v1/reconciliation/medical",
        params={"year": year, "division": COUNTY_CODE},
        headers=tokens["poverty"],
        timeout=30,
    )
    if response.status_code != 200:
        raise SeedError(f"reconciliation: {problem(response)}")
    return int(response.json()["total"]["eligible"])


class Loader:
    def __init__(
        self,
        county: County,
        endpoints: Endpoints,
        *,
        secret: str | None = None,
        concurrency: int = 4,
        wait_timeout: float = 300,
        employment_share: float = 1.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self.county = county
        self.urls = endpoints
        self.tokens = Tokens(secret, COUNTY_CODE)
        self.concurrency = concurrency
        self.wait_timeout = wait_timeout
        self.employment_share = employment_share
        self.log = log
        self.files = files(county)
        self.loaded: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.failures: dict[str, list[str]] = {}

    async def run(self) -> dict[str, Any]:
        # A pooled connection is dropped before uvicorn's 5 s keep-alive ends, so a request never
        # goes out on a connection the server is closing (a ReadError under load).
        limits = httpx.Limits(keepalive_expiry=2.0)
        async with httpx.AsyncClient(timeout=TIMEOUT, limits=limits) as client:
            self.client = client
            await self._step("roster", self.roster)
            await self._step("rolls", self.rolls)
            await self._step("registry events", self.wait_for_registry)
            await self._step("census", self.census)
            await self._step("students", self.students)
            if self.employment_share > 0:
                await self._step("employment", self.employment_year)
            await self._step("stays", self.stays)
            await self._step("tekun", self.tekun)
            await self._step("dibao", self.dibao)
        return {"loaded": self.loaded, "seconds": self.timings, "failures": self.failures}

    async def _step(self, name: str, work: Callable[[], Any]) -> None:
        start = time.monotonic()
        await work()
        self.timings[name] = round(time.monotonic() - start, 1)
        self.log(f"seed: {name} done in {self.timings[name]:.1f}s")

    # --- enrollment ---------------------------------------------------------------------------

    async def roster(self) -> None:
        result = await upload_job(
            self.client,
            f"{self.urls.enrollment}/v1/registry/imports",
            "roster.csv",
            self.files["roster.csv"],
            self.tokens["poverty"],
            self.wait_timeout,
        )
        self.loaded["registry"] = result
        self.log(f"seed: roster imported: {result.get('rows')} people")

    async def rolls(self) -> None:
        for scheme in ("pension", "medical"):
            result = await upload_job(
                self.client,
                f"{self.urls.enrollment}/v1/rolls/{scheme}/imports",
                f"{scheme}_roll.csv",
                self.files[f"{scheme}_roll.csv"],
                self.tokens["hrss"],
                self.wait_timeout,
            )
            self.loaded[f"{scheme}_roll"] = result

    async def students(self) -> None:
        """The education bureau's student register, joined with the registry (EDU-1 .. EDU-6)."""
        result = await upload_job(
            self.client,
            f"{self.urls.enrollment}/v1/education/registers/imports"
            f"?school_year={self.county.school_year}&county_code={COUNTY_CODE}",
            "students.csv",
            self.files["students.csv"],
            self.tokens["education"],
            self.wait_timeout,
        )
        self.loaded["students"] = result

    async def person_id(self, id_number: str) -> str:
        response = await self.client.get(
            f"{self.urls.enrollment}/v1/persons/{id_number}", headers=self.tokens["poverty"]
        )
        if response.status_code != 200:
            raise SeedError(f"enrollment person: {problem(response)}")
        return str(response.json()["person_id"])

    # --- waiting for the registry events ------------------------------------------------------

    async def wait_for_registry(self) -> None:
        heads = [h.head.id_number for h in self.county.households[-SENTINELS:]]
        wanted = sorted({*heads, *(t["id_number"] for t in self.county.tekun)})
        self.ids: dict[str, str] = {}
        for number in wanted:
            self.ids[number] = await self.person_id(number)
        sentinels = [self.ids[n] for n in heads]

        async def known(url: str, headers: dict[str, str], missing: list[str]) -> bool:
            still = []
            for key in missing:
                r = await self.client.get(url.format(key), headers=headers)
                if r.status_code == 404 and detail(r) in UNKNOWN_PERSON:
                    still.append(key)
                elif r.status_code not in (200, 404):
                    raise SeedError(f"{url}: {problem(r)}")
            missing[:] = still
            return not still

        checks = (
            ("medical", self.urls.medical + "/v1/persons/{}", "medical", heads),
            ("employment", self.urls.employment + "/v1/census/persons/{}", "hrss", sentinels),
            ("welfare", self.urls.welfare + "/v1/crosscheck/facts/{}", "civil", sentinels),
        )
        for service, url, actor, keys in checks:
            missing = list(keys)
            waited = await wait_until(
                f"registry events at {service}",
                partial(known, url, self.tokens[actor], missing),
                self.wait_timeout,
            )
            self.log(f"seed: {service} has the registry ({waited:.1f}s)")

    # --- employment ---------------------------------------------------------------------------

    async def census(self) -> None:
        deadline = time.monotonic() + self.wait_timeout
        while True:
            r = await self.client.post(
                f"{self.urls.employment}/v1/census/imports",
                files={"file": ("census.csv", self.files["census.csv"], "text/csv")},
                headers=self.tokens["hrss"],
            )
            if r.status_code == 201:
                self.loaded["census"] = r.json()
                return
            late = r.status_code == 422 and all(
                e.get("reason") == "not in the poverty registry"
                for e in r.json().get("errors", [{}])
            )
            if not late or time.monotonic() > deadline:
                raise SeedError(f"census: {problem(r)}")
            await asyncio.sleep(2)

    async def employment_year(self) -> None:
        """The year's training, recommendations, placements, posts, workshops and businesses
        (deploy/seed/employment.py), as the departments record them one by one."""
        r = await self.client.get(
            f"{self.urls.employment}/v1/training/assignments",
            params={"county": COUNTY_CODE, "on": self.county.as_of.isoformat()},
            headers=self.tokens["hrss"],
        )
        if r.status_code != 200:
            raise SeedError(f"training assignments: {problem(r)}")
        table = r.json()
        plan = employment.plan(
            self.county,
            table["departments"],
            table.get("two_after_department") or "",
            share=self.employment_share,
        )
        self.log(f"seed: employment plan {plan.summary()}")
        await self._census_ids(plan.people())
        done: dict[str, int] = {}
        await self._training(plan, done)
        await self._jobs(plan, done)
        await self._posts(plan, done)
        await self._workshops(plan, done)
        await self._businesses(plan, done)
        self.loaded["employment"] = done

    async def _census_ids(self, wanted: set[str]) -> None:
        """Person ids of the people the plan names: the employment census's pages, matched by
        household and name; the rare namesakes in one household asked of enrollment."""
        people = {p.id_number: (h.id, p.name) for h in self.county.households for p in h.members}
        keys: dict[tuple[str, str], list[str]] = {}
        for number in wanted:
            keys.setdefault(people[number], []).append(number)
        found: dict[tuple[str, str], list[str]] = {}
        offset, total, page = 0, None, 500
        while total is None or offset < total:
            r = await self.client.get(
                f"{self.urls.employment}/v1/census/persons",
                params={"limit": page, "offset": offset},
                headers=self.tokens["hrss"],
            )
            if r.status_code != 200:
                raise SeedError(f"census persons: {problem(r)}")
            body = r.json()
            total = body["total"]
            for item in body["items"]:
                found.setdefault((item["household_id"], item["name"]), []).append(item["person_id"])
            offset += page
        for key, numbers in keys.items():
            ids = found.get(key, [])
            if len(numbers) == 1 and len(ids) == 1:
                self.ids[numbers[0]] = ids[0]
            else:
                for number in numbers:
                    self.ids[number] = await self.person_id(number)

    def _count(self, done: dict[str, int], name: str) -> None:
        done[name] = done.get(name, 0) + 1

    async def _employ(self, path: str, body: dict[str, Any], actor: str, what: str) -> Any:
        return await self._post(f"{self.urls.employment}{path}", body, actor, what)

    def _person(self, item: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in item.items() if k != "id_number"}
        body["person_id"] = self.ids[item["id_number"]]
        return body

    async def _training(self, plan: employment.EmploymentPlan, done: dict[str, int]) -> None:
        jobs: list[tuple[int, dict[str, Any]]] = []
        for programme in plan.programmes:
            out = await self._employ(
                "/v1/training/programmes", programme["body"], "hrss", "training programme"
            )
            self._count(done, "programmes")
            jobs.extend((out["id"], e) for e in programme["enrolments"])

        async def trainee(job: tuple[int, dict[str, Any]]) -> None:
            programme_id, e = job
            body = {"person_id": self.ids[e["id_number"]], "enrolled_on": e["enrolled_on"]}
            out = await self._employ(
                f"/v1/training/programmes/{programme_id}/enrolments", body, "township", "enrolment"
            )
            self._count(done, "enrolments")
            if e["completion"] is None:
                return
            base = f"/v1/training/enrolments/{out['id']}"
            await self._employ(f"{base}/completion", e["completion"], "township", "completion")
            self._count(done, "completions")
            if e["certificate"] is None:
                return
            cert = await self._employ(
                f"{base}/certificates", e["certificate"], "township", "certificate"
            )
            self._count(done, "certificates")
            if e["subsidy"]:
                path = f"/v1/training/certificates/{cert['id']}/job-seeking-subsidy"
                await self._employ(path, {}, "hrss", "job-seeking subsidy")
                self._count(done, "job_seeking_subsidies")

        self._fail("training", await bounded(jobs, trainee, self._wide))

    @property
    def _wide(self) -> int:
        """Requests in flight for the many small employment records."""
        return self.concurrency * 2

    async def _jobs(self, plan: employment.EmploymentPlan, done: dict[str, int]) -> None:
        vacancy_ids: list[int] = []
        for vacancy in plan.vacancies:
            out = await self._employ("/v1/jobs/vacancies", vacancy, "hrss", "vacancy")
            vacancy_ids.append(out["id"])
        done["vacancies"] = len(vacancy_ids)

        async def recommend(rec: dict[str, Any]) -> None:
            body = {
                "vacancy_id": vacancy_ids[rec["vacancy"]],
                "person_id": self.ids[rec["id_number"]],
                "recommended_on": rec["recommended_on"],
            }
            out = await self._employ("/v1/jobs/recommendations", body, "village", "recommendation")
            self._count(done, "recommendations")
            if rec["outcome"] is not None:
                path = f"/v1/jobs/recommendations/{out['id']}/outcome"
                await self._employ(path, rec["outcome"], "village", "outcome")
                self._count(done, f"outcome_{rec['outcome']['outcome']}")

        async def place(item: dict[str, Any]) -> None:
            await self._employ("/v1/jobs/placements", self._person(item), "village", "placement")
            self._count(done, "placements")

        async def fair(body: dict[str, Any]) -> None:
            await self._employ("/v1/jobs/fairs", body, "township", "fair")
            self._count(done, "fairs")

        self._fail("recommendations", await bounded(plan.recommendations, recommend, self._wide))
        self._fail("placements", await bounded(plan.placements, place, self._wide))
        self._fail("fairs", await bounded(plan.fairs, fair, self.concurrency))

    async def _posts(self, plan: employment.EmploymentPlan, done: dict[str, int]) -> None:
        async def post(item: dict[str, Any]) -> None:
            out = await self._employ("/v1/posts", item["body"], "township", "post")
            self._count(done, "posts")
            for a in item["assignments"]:  # in turn: the post's positions are counted
                path = f"/v1/posts/{out['id']}/assignments"
                await self._employ(path, self._person(a), "township", "post assignment")
                self._count(done, "post_assignments")

        self._fail("posts", await bounded(plan.posts, post, self._wide))

    async def _workshops(self, plan: employment.EmploymentPlan, done: dict[str, int]) -> None:
        for item in plan.workshops:
            out = await self._employ("/v1/workshops", item["body"], "township", "workshop")
            self._count(done, "workshops")
            base = f"/v1/workshops/{out['id']}"

            async def worker(w: dict[str, Any], base: str = base) -> None:
                await self._employ(f"{base}/workers", self._person(w), "township", "worker")
                self._count(done, "workshop_workers")

            self._fail("workshops", await bounded(item["workers"], worker, self.concurrency))
            if item["claim"] is not None:
                claim = await self._employ(
                    f"{base}/subsidy-claims", {"year": item["claim"]}, "hrss", "workshop claim"
                )
                done["workshop_subsidy_paid"] = len(claim["paid"])

    async def _businesses(self, plan: employment.EmploymentPlan, done: dict[str, int]) -> None:
        async def start(item: dict[str, Any]) -> None:
            await self._employ("/v1/businesses", self._person(item), "village", "business")
            self._count(done, "businesses")

        self._fail("businesses", await bounded(plan.businesses, start, self.concurrency))

    # --- medical ------------------------------------------------------------------------------

    async def stays(self) -> None:
        outcome = {"stays": 0, "topped_up": 0, "high_burden": 0}

        async def post(stay: dict[str, Any]) -> None:
            r = await self.client.post(
                f"{self.urls.medical}/v1/hospitalizations",
                json=stay,
                headers=self.tokens["hospital"],
            )
            if r.status_code not in (200, 201):
                raise SeedError(f"stay {stay['claim_id']}: {problem(r)}")
            body = r.json()
            outcome["stays"] += 1
            outcome["topped_up"] += float(body["topup"]) > 0
            outcome["high_burden"] += bool(body["high_burden"])

        self._fail("stays", await bounded(self.county.stays, post, self.concurrency))
        self.loaded["stays"] = outcome

    # --- welfare ------------------------------------------------------------------------------

    async def tekun(self) -> None:
        done = 0

        async def certify(plan: dict[str, Any]) -> None:
            nonlocal done
            body = {k: v for k, v in plan.items() if k != "id_number"}
            body["person_id"] = self.ids[plan["id_number"]]
            r = await self.client.post(
                f"{self.urls.welfare}/v1/tekun/certifications",
                json=body,
                headers=self.tokens["civil"],
            )
            if r.status_code != 201:
                raise SeedError(f"tekun {plan['basis']}: {problem(r)}")
            done += 1

        self._fail("tekun", await bounded(self.county.tekun, certify, self.concurrency))
        self.loaded["tekun"] = done

    async def dibao(self) -> None:
        start = (date.today() - timedelta(days=NOTICE_DAYS_BACK)).isoformat()
        active = 0

        async def procedure(plan: dict[str, Any]) -> None:
            nonlocal active
            base = f"{self.urls.welfare}/v1/dibao/applications"
            application = {
                k: plan[k]
                for k in (
                    "household_id", "village_code", "applicant_name", "applicant_id_number",
                    "reason", "bank_name", "bank_account", "members",
                )
            }  # fmt: skip
            review = {
                k: plan[k]
                for k in ("members", "incomes", "assets", "cross_checks", "assets_within_limits")
            }
            r = await self._post(base, application, "village", "application")
            app_id = r["id"]
            steps = (
                ("acceptance", {"accept": True, "note": "材料齐全，予以受理"}, "township"),
                ("economic-review", review, "township"),
                ("decision", {"approve": True, "reason": "符合低保条件"}, "civil"),
                ("notice", {"start": start, "note": "村务公开栏张榜公示"}, "township"),
                ("activation", {"note": "公示无异议，纳入低保"}, "civil_second"),
            )
            for step, body, actor in steps:
                await self._post(f"{base}/{app_id}/{step}", body, actor, f"dibao {step}")
            active += 1

        self._fail("dibao", await bounded(self.county.dibao, procedure, self.concurrency))
        self.loaded["dibao"] = active

    async def _post(self, url: str, body: dict[str, Any], actor: str, what: str) -> Any:
        r = await self.client.post(url, json=body, headers=self.tokens[actor])
        if r.status_code not in (200, 201):
            raise SeedError(f"{what}: {problem(r)}")
        return r.json()

    def _fail(self, name: str, failures: list[str]) -> None:
        if failures:
            self.failures[name] = failures
            self.log(f"seed: {name}: {len(failures)} failed, first: {failures[0]}")
