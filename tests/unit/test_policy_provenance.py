"""Every figure belongs to the county whose document sets it (issue: policy per county).

Walks every shipped parameter x the three seed counties and a county the seeds never name, on
every date any value changes, and fails on a value that cites another county's (or the city's)
document without `illustrative: true`, or cites nothing a county official could check."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shared.policy import PolicySet
from shared.policy.loader import ResolvedParameter
from shared.policy.provenance import (
    DOCUMENT_COUNTY,
    SEED_COUNTIES,
    check_resolved,
    cited_documents,
    mismatches,
)
from shared.settings import Settings

SHIPPED = PolicySet.load(Settings().policy_dir)
FRESH_COUNTY = "522121"  # 遵义县/播州区: a county the seeds never name
COUNTIES = [*SEED_COUNTIES, FRESH_COUNTY]


@pytest.mark.parametrize("county", COUNTIES)
def test_every_parameter_is_honest_about_whose_figure_it_is(county: str) -> None:
    found = mismatches(SHIPPED, [county])
    assert not found, f"{len(found)} mismatches:\n" + "\n".join(str(m) for m in found)


def test_a_seed_figure_is_shipped_under_its_own_county() -> None:
    """A figure that cites a county's document as its law is that county's override."""
    for county in COUNTIES:
        for on in sorted(SHIPPED.effective_dates()):
            for item in SHIPPED.resolve_all(county, on):
                if item.illustrative:
                    continue
                docs = cited_documents(item.reference)
                if docs:
                    assert item.county == county, (item.path, county, item.reference)
                    assert {DOCUMENT_COUNTY[d] for d in docs} == {county}, item.path


def test_the_check_catches_another_countys_figure(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        """
x.ratio:
  unit: ratio
  reference: "FL-HRSS §三(三)2 (MED-6)"
  values:
    2018-01-01: 0.9
  counties:
    "532325":
      reference: "ZA-GOV §三(二)3 (MED-8)"
      values:
        2018-01-01: 0.8
    "360222":
      reference: "FL-HRSS §三(三)2 (MED-6)"
      values:
        2018-01-01: 0.9
""",
        encoding="utf-8",
    )
    policy = PolicySet.load(tmp_path)
    found = {(m.path, m.county) for m in mismatches(policy, COUNTIES)}
    # 浮梁's own figure is honest; 姚安 is given 正安's, 正安 and a fresh county 浮梁's.
    assert found == {("x.ratio", "532325"), ("x.ratio", "520324"), ("x.ratio", FRESH_COUNTY)}


def test_city_plan_and_bare_figures_need_the_flag() -> None:
    def item(reference: str) -> ResolvedParameter:
        return ResolvedParameter(
            path="x.ratio",
            value=Decimal("0.9"),
            unit=None,
            effective_from=date(2018, 1, 1),
            reference=reference,
            county=None,
            illustrative=False,
            description="",
        )

    on = date(2018, 1, 1)
    assert "CITY-HRSS" in (
        check_resolved(item("CITY-HRSS §三(一)1 (EMP-4)"), FRESH_COUNTY, on) or ""
    )
    assert "neither" in (check_resolved(item("a figure with no source"), "532325", on) or "")
    national = item("national rule 国发〔2014〕8号 §三 (ENR-P1)")
    assert check_resolved(national, FRESH_COUNTY, on) is None


def test_illustrative_flag_reaches_the_trace() -> None:
    from shared.trace import Params, Trace

    trace = Trace()
    params = Params(SHIPPED, FRESH_COUNTY, date(2018, 7, 1))
    params.get("welfare.dibao.rural_standard", trace)
    out = trace.out()
    assert out.parameters[0].illustrative is True
    assert out.illustrative_parameters == ["welfare.dibao.rural_standard"]
    own = Trace()
    Params(SHIPPED, "520324", date(2018, 7, 1)).get("welfare.dibao.rural_standard", own)
    assert own.out().illustrative_parameters == []
