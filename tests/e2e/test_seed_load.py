"""A small synthetic county loaded into the four services, run as separate processes on a real
broker, through their HTTP interfaces only; each service then shows what it was given."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.seed.county import build_county
from shared import REPO_ROOT, SERVICES
from shared.roles import Role
from tests.support.app import token
from tests.support.thin_slice import SECRET, Cluster

pytestmark = pytest.mark.integration

SIZES: dict[str, int] = {"people": 300, "stays": 20, "dibao": 3, "tekun": 2}


@pytest.fixture
def cluster(tmp_path: Path, db_template: str, broker: str, topic_prefix: str) -> Iterator[Cluster]:
    c = Cluster(tmp_path, db_template, broker, topic_prefix)
    try:
        for name in SERVICES:
            c.start(name)
        yield c
    finally:
        c.stop()


def test_small_county_reaches_every_service(cluster: Cluster) -> None:
    urls = {name: proc.url for name, proc in cluster.procs.items()}
    sizes = [f"--{k}={v}" for k, v in SIZES.items()]
    command = [sys.executable, "-m", "deploy.seed", "load", "--if-empty", *sizes]
    command += [f"--{name}={url}" for name, url in urls.items()]
    command += ["--auth-secret", SECRET, "--wait-timeout", "120"]
    run = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "seed: loaded" in run.stdout

    county = build_county(
        people=SIZES["people"], stays=SIZES["stays"], dibao=SIZES["dibao"], tekun=SIZES["tekun"]
    )  # the same default seed: the same county
    settings = cluster.settings

    def get(service: str, path: str, role: Role, **params: str | int) -> httpx.Response:
        headers = token(settings, role)
        return httpx.get(urls[service] + path, params=params, headers=headers, timeout=30)

    # enrollment: the roster and its rolls
    body = get("enrollment", "/v1/reconciliation/medical", Role.county_poverty, year=2020).json()
    # ENR-M1's target is the registered poor: marginal households (边缘户) are outside it.
    registered = {m.id_number for h in county.households if h.status != "边缘户" for m in h.members}
    assert len(registered) < 300
    assert body["total"]["eligible"] == len(registered)
    assert body["total"]["enrolled"] == sum(1 for line in county.medical if line[0] in registered)
    # medical: the registry read model, and a settled stay
    someone = county.households[-1].members[-1]
    person = get("medical", f"/v1/persons/{someone.id_number}", Role.county_medical)
    assert person.status_code == 200 and person.json()["household_id"] == someone.household_id
    stay = county.stays[0]
    decision = get("medical", f"/v1/hospitalizations/{stay['claim_id']}", Role.county_medical)
    assert decision.status_code == 200, decision.text
    assert decision.json()["registered_poor"] is True
    # employment: the labour census
    census = get("employment", "/v1/census/persons", Role.county_hrss, limit=1).json()
    assert census["total"] == len(county.census)
    # employment: the year's training, recommendations, placements and public-welfare posts
    progs = get("employment", "/v1/training/programmes", Role.county_hrss, county="532325").json()
    assert progs and sum(p["enrolled"] for p in progs) > 0
    assert sum(p["completed"] for p in progs) > 0
    enrolments = get(
        "employment", f"/v1/training/programmes/{progs[0]['id']}/enrolments", Role.county_hrss
    ).json()
    assert enrolments and all(e["programme_id"] == progs[0]["id"] for e in enrolments)
    recs = get("employment", "/v1/jobs/recommendations", Role.county_hrss, year=2020, limit=1000)
    assert recs.status_code == 200 and len(recs.json()) > 0
    assert {r["outcome"] for r in recs.json()} >= {"pending", "hired"}
    coverage = get(
        "employment", "/v1/jobs/recommendation-coverage", Role.county_hrss,
        county="532325", year=2020,
    ).json()  # fmt: skip
    assert 0 < coverage["below_minimum"] < coverage["labourers"] / 2  # most have >= 3
    placed = get("employment", "/v1/jobs/placements", Role.county_hrss, limit=1000).json()
    assert placed
    posts = get("employment", "/v1/posts", Role.county_hrss, county="532325").json()
    assert posts
    assignments = get(
        "employment", f"/v1/posts/{posts[0]['id']}/assignments", Role.county_hrss
    ).json()
    assert assignments and all(a["post_id"] == posts[0]["id"] for a in assignments)
    occupancy = get(
        "employment", "/v1/posts/occupancy", Role.county_hrss, county="532325", on="2020-12-31"
    ).json()
    assert 0.6 < float(occupancy["rate"]) <= 1
    shops = get("employment", "/v1/workshops", Role.county_hrss, county="532325").json()
    assert shops
    # welfare: dibao households through the whole procedure, and 特困 certifications
    cases = get("welfare", "/v1/dibao/cases", Role.county_civil, status="active").json()
    assert cases["total"] == 3
    assert {c["household_id"] for c in cases["items"]} == {d["household_id"] for d in county.dibao}
    tekun = get("welfare", "/v1/tekun/cases", Role.county_civil, status="certified").json()
    assert tekun["total"] == 2

    # A second run finds the registry full and loads nothing.
    again = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "nothing loaded" in again.stdout, again.stdout
