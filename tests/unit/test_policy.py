"""Parameters by effective date and county (architecture §2)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shared.policy import ParameterNotFound, PolicySet
from shared.policy.loader import PolicyFileError
from shared.settings import Settings

SHIPPED = PolicySet.load(Settings().policy_dir)


def write(tmp_path: Path, text: str) -> PolicySet:
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    return PolicySet.load(tmp_path)


def test_value_by_effective_date_and_county_override(tmp_path: Path) -> None:
    policy = write(
        tmp_path,
        """
x.rate:
  unit: ratio
  reference: "DOC §1"
  values:
    2017-01-01: 0.10
    2018-01-01: 0.20
  counties:
    "520324":
      reference: "DOC §2"
      values:
        2018-06-01: 0.30
""",
    )
    assert policy.value("x.rate", None, date(2017, 5, 1)) == Decimal("0.10")
    assert policy.value("x.rate", "520324", date(2018, 5, 31)) == Decimal("0.20")
    resolved = policy.resolve("x.rate", "520324", date(2018, 6, 1))
    assert (resolved.value, resolved.county, resolved.reference) == (
        Decimal("0.30"),
        "520324",
        "DOC §2",
    )
    assert isinstance(resolved.value, Decimal)
    with pytest.raises(ParameterNotFound, match="no value in force"):
        policy.resolve("x.rate", None, date(2016, 12, 31))


def test_every_value_needs_a_reference(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="reference"):
        write(tmp_path, "x.y:\n  values:\n    2017-01-01: 1\n")


def test_shipped_seed_figures() -> None:
    on = date(2018, 7, 1)
    assert SHIPPED.value("welfare.dibao.rural_standard", "520324", on) == 3876
    assert SHIPPED.value("welfare.tekun.monthly_support", "520324", on) == 741
    assert SHIPPED.value("enrollment.pension.funeral_grant", "532325", on) == 600
    assert SHIPPED.value("medical.guarantee.target_ratio", "532325", on) == Decimal("0.90")
    assert SHIPPED.value("welfare.temporary_relief.childbirth", "532325", on) == 400
    # 741/month starts in June 2018 (ZA-GOV §三(三)6).
    with pytest.raises(ParameterNotFound):
        SHIPPED.resolve("welfare.tekun.monthly_support", "520324", date(2018, 5, 31))
    # Fuliang pays the minimum contribution for its poor (FL-HRSS §三(二)); Yao'an does not.
    assert SHIPPED.value("enrollment.pension.county_pays_minimum", "360222", on) is True
    assert SHIPPED.value("enrollment.pension.county_pays_minimum", "532325", on) is False


def test_every_shipped_parameter_has_a_reference_and_unit() -> None:
    for item in SHIPPED.resolve_all("520324", date(2019, 1, 1)):
        assert item.reference, item.path
        assert item.unit, item.path


def test_a_county_figure_is_its_own(tmp_path: Path) -> None:
    """The default's illustrative flag and reference describe the default alone: a county's
    figure states its own citation and is illustrative only when it says so."""
    policy = write(
        tmp_path,
        """
x.amount:
  unit: yuan
  reference: "not in the seeds; an example figure"
  illustrative: true
  values:
    2017-01-01: 100
  counties:
    "520324":
      reference: "ZA-GOV §三(三)3"
      values:
        2018-01-01: 1500
""",
    )
    on = date(2018, 7, 1)
    assert policy.resolve("x.amount", "522121", on).illustrative is True
    own = policy.resolve("x.amount", "520324", on)
    assert (own.illustrative, own.reference) == (False, "ZA-GOV §三(三)3")
    with pytest.raises(PolicyFileError, match="reference"):
        write(
            tmp_path,
            'x.y:\n  reference: "D §1"\n  values: {2017-01-01: 1}\n'
            '  counties: {"520324": {values: {2018-01-01: 2}}}\n',
        )
