"""The rules map (docs/rules.md) is what the sources generate, every rule is implemented
somewhere a search for its ID finds, every seed quote is the seed's own text, and no code cites a
rule ID that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import REPO_ROOT
from shared.policy.rules_map import (
    DEFAULT_OUT,
    REGENERATE,
    SEEDS_DIR,
    CodeIndex,
    Rule,
    SeedQuote,
    cited_rule_ids,
    generate,
    load_rules,
    main,
    quote_found,
    rule_ids_in,
    scan_code,
    unfindable,
)

# Every rule ID of policy-rules.md, in its order; the programmes added to its numbering here
# come in their place among them (checked by prefix).
SPEC = (
    [f"REG-{n}" for n in range(1, 6)]
    + [f"ENR-P{n}" for n in range(1, 10)]
    + [f"ENR-M{n}" for n in range(1, 6)]
    + [f"MED-{n}" for n in range(1, 13)]
    + [f"EMP-{n}" for n in range(1, 10)]
    + [f"WEL-{n}" for n in range(1, 13)]
)
ADDED = (
    [f"EDU-{n}" for n in range(1, 7)]
    + [f"PLAN-{n}" for n in range(1, 3)]
    + [f"IND-{n}" for n in range(1, 5)]
)
PREFIXES = ["REG-", "ENR-P", "ENR-M", "MED-", "EMP-", "WEL-", "EDU-", "PLAN-", "IND-"]
# Files other than Python that cite rule IDs: the parameter files.
PARAMS_DIR = REPO_ROOT / "shared" / "policy" / "params"


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return load_rules()


@pytest.fixture(scope="module")
def code() -> CodeIndex:
    return scan_code()


def test_committed_map_is_up_to_date() -> None:
    assert DEFAULT_OUT.exists(), f"{DEFAULT_OUT} is missing; generate it with: {REGENERATE}"
    assert DEFAULT_OUT.read_text(encoding="utf-8") == generate(), (
        f"{DEFAULT_OUT} is stale (code, parameters, tests or shared/policy/rules changed); "
        f"regenerate it with: {REGENERATE}"
    )


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    out.write_text("# stale\n", encoding="utf-8")
    assert main(["--check", "--out", str(out)]) == 1
    assert main(["--out", str(out)]) == 0
    assert main(["--check", "--out", str(out)]) == 0


def test_source_lists_every_rule_of_the_spec_in_order(rules: list[Rule]) -> None:
    ids = [r.rule_id for r in rules]
    assert [i for i in ids if i in SPEC] == SPEC
    assert set(ADDED) <= set(ids)
    prefixes = [re.sub(r"\d+$", "", i) for i in ids]
    assert prefixes == sorted(prefixes, key=PREFIXES.index), "grouped by prefix, in order"


def test_every_rule_is_implemented_where_a_search_finds_it(
    rules: list[Rule], code: CodeIndex
) -> None:
    found = code.implementations
    missing = [r.rule_id for r in rules if not found.get(r.rule_id) and not r.not_implemented]
    assert not missing, (
        f"no function, method or class in services/ or shared/ names {missing} in its docstring, "
        "strings or comments: add the ID where the rule is applied, or say 'not implemented: ...' "
        "in the rule's readings (shared/policy/rules/)"
    )


def test_implementations_are_in_code_not_tests_or_migrations(code: CodeIndex) -> None:
    for refs in code.implementations.values():
        for ref in refs:
            assert ref.path.split("/")[0] in ("services", "shared"), ref
            assert "/migrations/" not in ref.path and "/tests/" not in ref.path, ref
            assert not ref.path.endswith("rules_map.py"), ref


def test_rules_applied_through_constants_or_shorthand_name_the_id() -> None:
    problems = unfindable()
    assert not problems, (
        "these apply a rule without naming its ID as a token (a constant such as MED_2, a list "
        "such as ENR-P3/P4/P5 or a range such as MED-1..MED-5), so a search for the ID misses "
        "them; name the ID in the docstring:\n" + "\n".join(problems)
    )


def test_not_implemented_is_said_explicitly(rules: list[Rule], code: CodeIndex) -> None:
    for rule in rules:
        if rule.not_implemented:
            # A rule marked not implemented that has code is a stale mark.
            assert not code.implementations.get(rule.rule_id), rule.rule_id


def test_every_quote_is_verbatim_in_its_seed(rules: list[Rule]) -> None:
    wrong = [
        f"{r.rule_id} {q.citation}: {q.quote}" for r in rules for q in r.seeds if not quote_found(q)
    ]
    assert not wrong, "quotes not found in shared/policy/seeds/:\n" + "\n".join(wrong)


def test_quote_check_rejects_an_altered_quote() -> None:
    good = SeedQuote("ZA-GOV §一(四)", "每人每年提高到3876元")
    assert quote_found(good)
    assert not quote_found(SeedQuote("ZA-GOV §一(四)", "每人每年提高到3867元"))
    assert not quote_found(SeedQuote("YA-GOV §一", "每人每年提高到3876元"))  # another document
    assert quote_found(SeedQuote("YA-HRSS §三(一)", "两个百分之百"))  # the seed spaces it out


def test_seed_copies_are_the_five_documents() -> None:
    names = sorted(p.stem for p in SEEDS_DIR.glob("*.txt"))
    assert names == ["CITY-HRSS", "FL-HRSS", "YA-GOV", "YA-HRSS", "ZA-GOV"]
    assert "姚人社通〔2017〕10号" in (SEEDS_DIR / "YA-HRSS.txt").read_text(encoding="utf-8")
    assert "浮人社发[2018]6号" in (SEEDS_DIR / "FL-HRSS.txt").read_text(encoding="utf-8")


def test_every_rule_id_cited_in_code_or_parameters_exists(rules: list[Rule]) -> None:
    known = {r.rule_id for r in rules}
    cited: dict[str, set[str]] = {}
    for rule_id, files in scan_code().citations.items():
        cited.setdefault(rule_id, set()).update(files)
    for path in sorted(PARAMS_DIR.glob("*.yaml")):
        for rule_id in cited_rule_ids(path.read_text(encoding="utf-8")):
            cited.setdefault(rule_id, set()).add(str(path.relative_to(REPO_ROOT)))
    unknown = {k: sorted(v) for k, v in cited.items() if k not in known}
    assert not unknown, f"rule IDs that are in no rule source (a typo?): {unknown}"


def test_rule_ids_are_exact_tokens() -> None:
    assert rule_ids_in("MED-10 的补足, 见MED-1。") == {"MED-10", "MED-1"}
    tail = "ENR-P" + "12"  # spelled apart: not a citation of a rule that does not exist
    assert rule_ids_in(f"XMED-1, MED-1a, {tail}") == {tail}
    assert cited_rule_ids("(ENR-M2/M3)") == {"ENR-M2", "ENR-M3"}
    assert cited_rule_ids("EMP-5/6/7") == {"EMP-5", "EMP-6", "EMP-7"}
    assert cited_rule_ids("MED-1..MED-5") == {f"MED-{n}" for n in range(1, 6)}
    assert cited_rule_ids("EMP-1..3") == {"EMP-1", "EMP-2", "EMP-3"}


def test_map_lists_seed_functions_parameters_and_tests() -> None:
    text = DEFAULT_OUT.read_text(encoding="utf-8")
    section = text.split('<a id="wel-3"></a>')[1].split("<a id=")[0]
    assert "「逐年提高农村低保救助标准和救助范围，每人每年提高到3876元，增幅10%」" in section
    assert re.search(r"\| `services\.welfare\.dibao\.rules\.\w+` \|", section)
    row = re.search(r"\| 520324 正安 \| 3876 \| 2018-01-01 \| ZA-GOV[^|]*\| no \|", section)
    assert row, "正安's own dibao standard, not illustrative"
    assert "Tests:" in section and "tests/unit/test_welfare_rules.py::" in section
