"""The county dashboard in a real headless browser (Debian's chromium, driven by Playwright):
the four services as processes with a small synthetic county, the dashboard served beside them,
opened with a read-only auditor token; every per-township figure it shows, in its charts and in
its table, is what the services' APIs answer. A screenshot is kept (tmp_path and
var/ci/dashboard.png; both paths printed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.broker import free_port
from deploy.dashboard import DashboardServer, dashboard_url
from deploy.seed.county import build_county
from deploy.seed.divisions import COUNTY_CODE, townships
from shared import REPO_ROOT, SERVICES
from shared.roles import Role
from shared.tabular import write_csv
from tests.support.app import token
from tests.support.thin_slice import SECRET, Cluster

pytestmark = pytest.mark.integration

SIZES: dict[str, int] = {"people": 300, "stays": 20, "dibao": 3, "tekun": 2}
ON = date(2020, 12, 31)  # the synthetic county's year: rolls, stays
SCREENSHOT = REPO_ROOT / "var" / "ci" / "dashboard.png"
RATES = (
    "pension",
    "medical_insurance",
    "guarantee",
    "training_rate",
    "recommendation_rate",
    "placement_rate",
    "post_occupancy",
)
COUNTS = ("two_without", "overdue")
EMPLOYMENT = ("training_rate", "recommendation_rate", "placement_rate", "post_occupancy")
TOWNSHIPS = [t.code for t in townships()]

Figures = dict[str, dict[str, float | None]]  # indicator -> division (townships, county) -> value


def _in_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"))


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    reason = ""
    if found is None:
        reason = "no chromium on this machine (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (requirements-dev.txt)"
    if reason:
        if _in_ci():
            pytest.fail(f"the dashboard test must run in CI: {reason}")
        pytest.skip(reason)
    assert found is not None
    return found


@pytest.fixture
def system(
    tmp_path: Path, broker: str, topic_prefix: str
) -> Iterator[tuple[Cluster, DashboardServer]]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    cluster = Cluster(tmp_path, f"sqlite:///{tmp_path}/{{service}}.db", broker, topic_prefix)
    dashboard: DashboardServer | None = None
    try:
        for name in SERVICES:
            cluster.start(name, CORS_ORIGINS=origin)
        urls = {name: proc.url for name, proc in cluster.procs.items()}
        dashboard = DashboardServer(port, urls).start()
        yield cluster, dashboard
    finally:
        if dashboard is not None:
            dashboard.stop()
        cluster.stop()


def _load_county(cluster: Cluster) -> None:
    command = [sys.executable, "-m", "deploy.seed", "load", "--if-empty"]
    command += [f"--{k}={v}" for k, v in SIZES.items()]
    command += [f"--{name}={proc.url}" for name, proc in cluster.procs.items()]
    command += ["--auth-secret", SECRET, "--wait-timeout", "120"]
    run = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def _two_without_survey(cluster: Cluster) -> None:
    """Some people without income or ability to work, and a cross-check on ON (WEL-8), so the
    dashboard's 两无 chart has something to show."""
    county = build_county(
        people=SIZES["people"], stays=SIZES["stays"], dibao=SIZES["dibao"], tekun=SIZES["tekun"]
    )
    chosen = [h.members[-1].id_number for h in county.households[::6]]
    rows = [[n, "无劳动能力", "无", str(ON.year)] for n in chosen]
    body = write_csv(["证件号码", "劳动能力", "有无收入", "调查年度"], rows)
    url = cluster.procs["welfare"].url
    headers = token(cluster.settings, Role.county_poverty)
    r = httpx.post(
        url + "/v1/crosscheck/facts/imports",
        files={"file": ("survey.csv", body)},
        headers=headers,
        timeout=60,
    )
    assert r.status_code == 201, r.text
    r = httpx.post(
        url + "/v1/crosscheck/runs",
        json={"county_code": COUNTY_CODE, "on": ON.isoformat()},
        headers=token(cluster.settings, Role.county_civil),
        timeout=120,
    )
    assert r.status_code == 201, r.text
    assert r.json()["findings"] > 0


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def expected(cluster: Cluster, on: date) -> tuple[Figures, dict[str, float | None], set[str]]:
    """What the services answer for `on`, per indicator and division, with each target and the
    indicators that cannot be had (e.g. the monthly report of a month not begun)."""
    urls = {name: proc.url for name, proc in cluster.procs.items()}
    headers = token(cluster.settings, Role.auditor)

    def get(service: str, path: str, **params: str | int) -> httpx.Response:
        return httpx.get(urls[service] + path, params=params, headers=headers, timeout=60)

    figures: Figures = {}
    targets: dict[str, float | None] = {}
    failing: set[str] = set()
    for key, scheme in (("pension", "pension"), ("medical_insurance", "medical")):
        r = get("enrollment", f"/v1/reconciliation/{scheme}", year=on.year, division=COUNTY_CODE)
        assert r.status_code == 200, r.text
        body = r.json()
        figures[key] = {g["division"]: _num(g["enrollment_rate"]) for g in body["groups"]}
        figures[key][COUNTY_CODE] = _num(body["total"]["enrollment_rate"])
        targets[key] = 1.0
    r = get("medical", "/v1/indicators/guarantee", county=COUNTY_CODE, year=on.year)
    assert r.status_code == 200, r.text
    body = r.json()
    figures["guarantee"] = {t["division"]: _num(t["share"]) for t in body["townships"]}
    figures["guarantee"][COUNTY_CODE] = _num(body["total"]["share"])
    targets["guarantee"] = 1.0
    r = get("employment", "/v1/reports/monthly", county=COUNTY_CODE, month=on.strftime("%Y-%m"))
    if r.status_code == 422:
        failing.update(EMPLOYMENT)
    else:
        assert r.status_code == 200, r.text
        body = r.json()
        areas = [*body["townships"], body["total"]]

        def fig(area: dict[str, Any], key: str) -> float | None:
            return _num(area["figures"][key]["value"])

        for key in ("training_rate", "placement_rate", "post_occupancy"):
            figures[key] = {a["code"]: fig(a, key) for a in areas}
            targets[key] = _num(body["total"]["figures"][key]["target"])
        figures["recommendation_rate"] = {}
        for a in areas:
            base = fig(a, "recommendation_labourers")
            recommended = fig(a, "recommended")
            share = recommended / base if base and recommended is not None else None
            figures["recommendation_rate"][a["code"]] = share
        targets["recommendation_rate"] = 1.0
    r = get("welfare", "/v1/crosscheck/runs", county=COUNTY_CODE)
    assert r.status_code == 200, r.text
    runs = [run for run in r.json() if run["on"] <= on.isoformat()]
    if not runs:
        failing.add("two_without")
    else:
        run = max(runs, key=lambda run: run["id"])
        uncovered = dict.fromkeys(TOWNSHIPS, 0.0)
        for t in run["townships"]:
            for k in t["by_kind"]:
                if k["kind"] == "two_without_not_on_dibao":
                    uncovered[t["township_code"]] += k["open"]
        uncovered[COUNTY_CODE] = sum(uncovered.values())
        figures["two_without"] = dict(uncovered)
        targets["two_without"] = 0.0
    r = get("welfare", "/v1/dibao/reviews/overdue", on=on.isoformat())
    assert r.status_code == 200, r.text
    overdue = dict.fromkeys(TOWNSHIPS, 0.0)
    for row in r.json():
        overdue[row["township_code"]] += 1
    overdue[COUNTY_CODE] = float(len(r.json()))
    figures["overdue"] = dict(overdue)
    targets["overdue"] = 0.0
    return figures, targets, failing


def plan_targets(cluster: Cluster, on: date) -> list[tuple[str, bool]]:
    """(target id, late) of every target of the county the four services measure on `on`
    (PLAN-1), in the order the page lists them; [] for a service that cannot answer."""
    headers = token(cluster.settings, Role.auditor)
    out: list[tuple[str, bool]] = []
    for service in ("enrollment", "medical", "employment", "welfare"):
        r = httpx.get(
            cluster.procs[service].url + "/v1/plan/targets",
            params={"county": COUNTY_CODE, "on": on.isoformat()},
            headers=headers,
            timeout=60,
        )
        if r.status_code == 200:
            out += [(t["id"], t["late"]) for t in r.json()["targets"]]
    return out


READ_TARGETS = """() => ({
  rows: [...document.querySelectorAll('#targets tbody tr[data-target]')].map(
    r => [r.dataset.target, r.classList.contains('late')]),
  unavailable: document.querySelectorAll('#targets tbody tr.unavailable').length,
})"""


def shown_text(key: str, value: float | None) -> str:
    """The page's own formatting: JavaScript's toFixed rounds the double's exact value, half up."""
    if value is None:
        return "—"
    if key in COUNTS:
        return str(int(value))
    exact = Decimal(value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{exact}%"


READ_PAGE = """() => ({
  cells: [...document.querySelectorAll('#summary td')].map(td => [
    td.dataset.indicator, td.dataset.division, td.dataset.value, td.textContent]),
  bars: [...document.querySelectorAll('.card')].flatMap(card =>
    [...card.querySelectorAll('g.bar')].map(g => [
      card.dataset.indicator, g.dataset.division, g.dataset.value,
      g.querySelector('text.value').textContent])),
  targets: Object.fromEntries([...document.querySelectorAll('.card')].map(card => {
    const line = card.querySelector('line.target');
    return [card.dataset.indicator, line ? line.dataset.target : null];
  })),
  states: Object.fromEntries([...document.querySelectorAll('.card')].map(
    card => [card.dataset.indicator, card.dataset.state])),
  names: [...document.querySelectorAll('#summary tbody th')].map(th => th.textContent),
})"""


def _value(raw: str) -> float | None:
    return None if raw == "" else float(raw)


def check_page(
    page: Any, figures: Figures, targets: dict[str, float | None], failing: set[str]
) -> int:
    """Every figure on the page against the services' answer; returns how many were compared."""
    shown = page.evaluate(READ_PAGE)
    assert shown["names"] == [t.name for t in townships()] + ["全县"]
    assert {k for k, state in shown["states"].items() if state == "error"} == failing
    compared = 0
    for key, division, raw, text in shown["cells"]:
        if key in failing:
            assert text == "×"
            continue
        want = figures[key].get(division)
        assert _value(raw) == want, (key, division, raw, want)
        assert text == shown_text(key, want), (key, division, text)
        compared += 1
    assert compared == (len(RATES) + len(COUNTS) - len(failing)) * (len(TOWNSHIPS) + 1)
    for key, division, raw, text in shown["bars"]:
        want = figures[key].get(division)
        assert _value(raw) == want and text == shown_text(key, want), (key, division, raw, text)
    for key, line in shown["targets"].items():
        if key not in failing:
            assert _value(line) == targets[key], (key, line, targets[key])
    return compared


def _wait_ready(page: Any) -> None:
    # Selectors, not script: the page's Content-Security-Policy forbids evaluating strings.
    page.wait_for_selector("body[data-state=ready]", state="attached", timeout=60_000)


def test_dashboard_shows_each_township_as_the_services_answer(
    system: tuple[Cluster, DashboardServer],
    chromium: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from playwright.sync_api import sync_playwright

    cluster, dashboard = system
    _load_county(cluster)
    _two_without_survey(cluster)
    figures, targets, failing = expected(cluster, ON)
    assert failing == set()
    # The small county has figures to compare, not only dashes.
    assert figures["pension"][COUNTY_CODE] and figures["guarantee"][COUNTY_CODE] is not None
    assert figures["two_without"][COUNTY_CODE]

    auditor = token(cluster.settings, Role.auditor)["Authorization"].removeprefix("Bearer ")
    url = dashboard_url(dashboard.url, auditor, ON)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(url)
            _wait_ready(page)
            assert page.evaluate("document.body.dataset.errors") == "0"
            assert "token" not in page.url  # out of the address bar once read
            assert page.input_value("#on") == ON.isoformat()
            compared = check_page(page, figures, targets, failing)
            # The targets panel: every target of the county from the four services, late flags
            # as they answer (姚安's 2017 deadlines have passed by the county's 2020).
            plan = plan_targets(cluster, ON)
            assert len(plan) == 9 and any(late for _, late in plan)
            shown_plan = page.evaluate(READ_TARGETS)
            assert [tuple(r) for r in shown_plan["rows"]] == plan
            assert shown_plan["unavailable"] == 0
            # One township: only the targets it is measured on.
            page.select_option("#plan-township", townships()[0].code)
            assert len(page.evaluate(READ_TARGETS)["rows"]) <= len(plan)
            page.select_option("#plan-township", "")
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp_path / "dashboard.png", SCREENSHOT)
            with capsys.disabled():  # in the log of every run, not only of a failing one
                print(f"\ndashboard screenshot: {tmp_path / 'dashboard.png'} and {SCREENSHOT}")

            # A later date from the picker: dibao reviews are overdue by then; the monthly
            # report of a month not begun cannot be had, and only its charts say so.
            later = date.today() + timedelta(days=400)
            figures, targets, failing = expected(cluster, later)
            assert failing == set(EMPLOYMENT)
            assert figures["overdue"][COUNTY_CODE] == SIZES["dibao"]
            page.fill("#on", later.isoformat())
            page.wait_for_selector(f"#basis:has-text('{later.isoformat()}')")
            _wait_ready(page)
            assert f"on={later.isoformat()}" in page.url
            check_page(page, figures, targets, failing)
            # A day not yet come: every service refuses it (422), and the panel says so.
            assert page.evaluate(READ_TARGETS)["unavailable"] == 4
            page.screenshot(path=str(tmp_path / "dashboard-later.png"), full_page=True)
            # Reloading keeps the token (session storage) and the date (the address).
            page.reload()
            _wait_ready(page)
            assert page.input_value("#on") == later.isoformat()
            assert problems == [] or all("422" in m for m in problems), problems
        finally:
            browser.close()
    assert compared > 0
