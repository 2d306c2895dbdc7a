"""Load a synthetic county into running services through their own HTTP interfaces, in the
order the departments would: the poverty office's roster (enrollment), the insurance rolls
(enrollment), then, once the registry events have reached the other services, the labour census
(employment), a year of hospital stays (medical), 特困 certifications and dibao households through
their whole procedure (welfare). No service's database is touched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

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
        log: Callable[[str], None] = print,
    ) -> None:
        self.county = county
        self.urls = endpoints
        self.tokens = Tokens(secret, COUNTY_CODE)
        self.concurrency = concurrency
        self.wait_timeout = wait_timeout
        self.log = log
        self.files = files(county)
        self.loaded: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.failures: dict[str, list[str]] = {}

    async def run(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            self.client = client
            await self._step("roster", self.roster)
            await self._step("rolls", self.rolls)
            await self._step("registry events", self.wait_for_registry)
            await self._step("census", self.census)
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
                lambda u=url, a=actor, m=missing: known(u, self.tokens[a], m),  # type: ignore[misc]
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
