"""The rules map (docs/rules.md): for each rule ID, the seed sentence it implements, the code that
implements it, its parameters per county and the tests that cover it.

    python -m shared.policy.rules_map            # writes docs/rules.md (make rules-map)
    python -m shared.policy.rules_map --check    # exit 1 when docs/rules.md is stale

Sources:
- shared/policy/rules/<domain>.yaml, written by hand: per rule ID a title, the seed sentence(s)
  {citation, quote} and the readings chosen where a seed leaves one open. Quotes are checked
  against the copies of the seeds in shared/policy/seeds/<document>.txt.
- Implementing code, found with `ast` in services/ and shared/ (tests, migrations and this
  module excluded): a function, method or class implements a rule when the rule ID appears, as
  an exact token (MED-1 is not MED-10), in its own source lines (docstring, strings, comments,
  decorators); lines of nested functions and classes belong to them, not to the enclosing one.
- Parameters: the policy files (Settings().policy_dir); a parameter belongs to a rule when the
  rule ID appears in its description or any of its references.
- Tests: test functions under tests/ and services/ whose name, docstring or body names the rule.

Everything is read from the working tree, never the network, and emitted in a fixed order."""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from shared import REPO_ROOT
from shared.policy.loader import PolicySet
from shared.policy.provenance import SEED_COUNTIES
from shared.settings import Settings

RULES_DIR = REPO_ROOT / "shared" / "policy" / "rules"
SEEDS_DIR = REPO_ROOT / "shared" / "policy" / "seeds"
DEFAULT_OUT = REPO_ROOT / "docs" / "rules.md"
REGENERATE = "python -m shared.policy.rules_map  (make rules-map)"
# Source file per domain, in the order of policy-rules.md, with the ID prefix each one holds.
DOMAINS: dict[str, tuple[str, str]] = {
    "registry": ("People and households (registry)", "REG-"),
    "enrollment": ("Enrollment: resident pension and medical insurance", "ENR-"),
    "medical": ("Medical: reimbursement and the 90% guarantee", "MED-"),
    "employment": ("Employment and training", "EMP-"),
    "welfare": ("Welfare: dibao, extreme-poverty support, temporary relief", "WEL-"),
    "education": ("Education aid (教育扶贫资助)", "EDU-"),
    "plan": ("Plans: targets and deadlines", "PLAN-"),
    "indicators": ("Appraisal indicators of the safety net (考核指标)", "IND-"),
}
NOT_IMPLEMENTED = "not implemented:"
CODE_ROOTS = ("services", "shared")
TEST_ROOTS = ("tests", "services")
# The map's own test spells rule IDs as examples; it covers the map, not the rules.
OWN_TEST = REPO_ROOT / "tests" / "unit" / "test_rules_map.py"

# A rule ID as a token: not glued to a letter or digit on either side (Chinese text around it
# is fine, which is why this is not `\b`: CJK characters count as word characters).
# Prefixes: the spec's REG/ENR/MED/EMP/WEL, and the programmes and indicators added to its numbering
# here: EDU (education aid), PLAN (targets and deadlines), IND (YA-GOV appraisal indicators).
_PREFIXES = "REG|MED|EMP|WEL|EDU|PLAN|IND"
_ID = rf"(?:{_PREFIXES})-\d+|ENR-[PM]\d+"
RULE_ID = re.compile(rf"(?<![A-Za-z0-9_])(?:{_ID})(?![A-Za-z0-9_])")
# Shorthand lists such as "ENR-M2/M3" or "EMP-5/6/7", and ranges such as "MED-1..MED-5" or
# "EMP-1..3": the members they leave implicit are cited too, but no search for the ID finds them.
_SHORTHAND = re.compile(rf"(?<![A-Za-z0-9_])({_ID})((?:/[PM]?\d+)+)(?![A-Za-z0-9_])")
_RANGE = re.compile(rf"(?<![A-Za-z0-9_])({_ID})\.\.(?:(?:{_PREFIXES})-|ENR-[PM]|[PM])?(\d+)")


# Order of the sections of policy-rules.md (pension before medical insurance).
_PREFIX_ORDER = ("REG-", "ENR-P", "ENR-M", "MED-", "EMP-", "WEL-", "EDU-", "PLAN-", "IND-")


def _groups(pattern: str, text: str) -> tuple[str, ...]:
    """The groups of `pattern` in a text known to match it (a rule ID found by `RULE_ID`)."""
    match = re.match(pattern, text)
    if match is None:
        raise ValueError(f"{text!r} does not match {pattern!r}")
    return match.groups()


def _sort_key(rule_id: str) -> tuple[int, int]:
    prefix, number = _groups(r"(.*?)(\d+)$", rule_id)
    return _PREFIX_ORDER.index(prefix), int(number)


def rule_ids_in(text: str) -> set[str]:
    """The rule IDs a text names as exact tokens."""
    return set(RULE_ID.findall(text))


def cited_rule_ids(text: str) -> set[str]:
    """Every rule ID a text cites, the members of shorthand lists ("MED-6/7") included."""
    found = rule_ids_in(text)
    for head, tail in _SHORTHAND.findall(text):
        (stem,) = _groups(r"(.*-[PM]?)\d+$", head)
        (letters,) = _groups(r".*-([PM]?)$", stem)
        base = stem[: len(stem) - len(letters)]
        for member in tail.strip("/").split("/"):
            found.add(base + (member if member[0] in "PM" else letters + member))
    for head, last in _RANGE.findall(text):
        stem, first = _groups(r"(.*?)(\d+)$", head)
        found.update(f"{stem}{n}" for n in range(int(first), int(last) + 1))
    return found


# --- the hand-written source -------------------------------------------------------------------


@dataclass(frozen=True)
class SeedQuote:
    citation: str
    quote: str

    @property
    def document(self) -> str:
        return self.citation.split()[0]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    domain: str
    title: str
    seeds: tuple[SeedQuote, ...]
    readings: tuple[str, ...]

    @property
    def not_implemented(self) -> bool:
        return any(r.lower().startswith(NOT_IMPLEMENTED) for r in self.readings)


class RulesSourceError(ValueError):
    pass


def load_rules(directory: Path = RULES_DIR) -> list[Rule]:
    rules: list[Rule] = []
    for domain, (_, prefix) in DOMAINS.items():
        path = directory / f"{domain}.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule_id, spec in doc.items():
            where = f"{path.name}: {rule_id}"
            if not RULE_ID.fullmatch(str(rule_id)) or not str(rule_id).startswith(prefix):
                raise RulesSourceError(f"{where}: not a {prefix}* rule ID")
            seeds = tuple(
                SeedQuote(str(s["citation"]).strip(), str(s["quote"]).strip())
                for s in spec.get("seed") or ()
            )
            if not spec.get("title") or not seeds:
                raise RulesSourceError(f"{where}: needs a title and at least one seed quote")
            readings = tuple(str(r).strip() for r in spec.get("readings") or ())
            rules.append(Rule(rule_id, domain, str(spec["title"]).strip(), seeds, readings))
    ids = [r.rule_id for r in rules]
    if len(ids) != len(set(ids)):
        raise RulesSourceError("a rule ID is defined twice")
    return sorted(rules, key=lambda r: _sort_key(r.rule_id))


def _squash(text: str) -> str:
    # The seeds wrap and space Chinese text irregularly ("两个 百分之 百"): compare without it.
    return re.sub(r"\s+", "", text)


def quote_found(quote: SeedQuote, seeds_dir: Path = SEEDS_DIR) -> bool:
    path = seeds_dir / f"{quote.document}.txt"
    return path.exists() and _squash(quote.quote) in _squash(path.read_text(encoding="utf-8"))


# --- code and tests, read with ast --------------------------------------------------------------


@dataclass(frozen=True)
class CodeRef:
    name: str  # module.qualname, or path::name for a test
    path: str  # relative to the repository
    line: int


@dataclass
class _Scope:
    node: ast.AST
    qualname: str
    start: int  # first decorator, so that a route's summary="..." counts as its own text
    end: int
    line: int  # the def or class line, shown in the map
    texts: list[str] = field(default_factory=list)


def _python_files(roots: Iterable[str]) -> Iterator[Path]:
    seen: set[Path] = set()
    for root in roots:
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            if path not in seen and ".venv" not in path.parts:
                seen.add(path)
                yield path


def _ordered(refs: list[CodeRef]) -> list[CodeRef]:
    return sorted(refs, key=lambda r: (r.path, r.line, r.name))


def _is_test_file(path: Path) -> bool:
    return path.name.startswith("test_") or path.name.endswith("_test.py") or "tests" in path.parts


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _scopes(tree: ast.Module) -> list[_Scope]:
    """Every function and class with its qualified name and lines; statements only are walked
    (a def or class is always a statement), which keeps this cheap."""
    found: list[_Scope] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualname = f"{prefix}{stmt.name}"
                start = min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)])
                end = stmt.end_lineno or stmt.lineno
                found.append(_Scope(stmt, qualname, start, end, stmt.lineno))
                visit(stmt.body, f"{qualname}.")
                continue
            for name in ("body", "orelse", "finalbody"):
                visit(getattr(stmt, name, []), prefix)
            for handler in getattr(stmt, "handlers", []):
                visit(handler.body, prefix)
            for case in getattr(stmt, "cases", []):
                visit(case.body, prefix)

    visit(tree.body, "")
    return found


def _innermost(scopes: list[_Scope], line: int) -> _Scope | None:
    best = None
    for scope in scopes:
        if scope.start <= line <= scope.end and (best is None or scope.start >= best.start):
            best = scope
    return best


@dataclass
class CodeIndex:
    implementations: dict[str, list[CodeRef]]
    tests: dict[str, list[CodeRef]]
    citations: dict[str, set[str]]  # rule ID -> files that cite it (typos included)


def _test_name_ids(name: str) -> set[str]:
    # test_med_2_tops_up -> MED-2; test_enr_p3_... -> ENR-P3
    return _name_ids(name.upper().replace("_", "-"))


def _name_ids(text: str) -> set[str]:
    pattern = rf"(?<![A-Z0-9])(?:(?:{_PREFIXES})-?\d+|ENR-?[PM]-?\d+)(?![0-9])"
    out = set()
    for match in re.findall(pattern, text):
        normal = re.sub(rf"^({_PREFIXES})-?", r"\1-", match)
        normal = re.sub(r"^ENR-?([PM])-?", r"ENR-\1", normal)
        out.add(normal)
    return out


def scan_code(this_module: Path = Path(__file__).resolve()) -> CodeIndex:
    implementations: dict[str, list[CodeRef]] = defaultdict(list)
    tests: dict[str, list[CodeRef]] = defaultdict(list)
    citations: dict[str, set[str]] = defaultdict(set)
    for path in _python_files(CODE_ROOTS + TEST_ROOTS):
        rel = path.relative_to(REPO_ROOT)
        if path == OWN_TEST:
            continue
        source = path.read_text(encoding="utf-8")
        for rule_id in cited_rule_ids(source):
            citations[rule_id].add(rel.as_posix())
        if path == this_module or "migrations" in rel.parts:
            continue
        if not RULE_ID.search(source) and not _name_ids(source.upper().replace("_", "-")):
            continue  # nothing to find: skip parsing (keeps the generator fast)
        tree = ast.parse(source, filename=str(rel))
        scopes = _scopes(tree)
        if _is_test_file(path):
            lines = source.splitlines()
            for scope in scopes:
                node = scope.node
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if not node.name.startswith("test"):
                    continue
                body = "\n".join(lines[scope.start - 1 : scope.end])
                ids = rule_ids_in(body) | _test_name_ids(node.name)
                for rule_id in ids:
                    tests[rule_id].append(
                        CodeRef(f"{rel.as_posix()}::{scope.qualname}", rel.as_posix(), scope.line)
                    )
            continue
        if rel.parts[0] not in CODE_ROOTS:
            continue
        # A rule ID is never Python syntax, so every line naming one does so in a docstring,
        # another string or a comment: the line is enough to place it in its innermost scope.
        for number, line in enumerate(source.splitlines(), start=1):
            if RULE_ID.search(line) and (inner := _innermost(scopes, number)) is not None:
                inner.texts.append(line)
        module = _module_name(rel)
        for scope in scopes:
            for rule_id in rule_ids_in("\n".join(scope.texts)):
                implementations[rule_id].append(
                    CodeRef(f"{module}.{scope.qualname}", rel.as_posix(), scope.line)
                )
    return CodeIndex(
        {k: _ordered(v) for k, v in implementations.items()},
        {k: _ordered(v) for k, v in tests.items()},
        dict(citations),
    )


def unfindable() -> list[str]:
    """Functions and classes that apply a rule without naming its ID as a token: they use a
    module constant holding the ID (MED_2 = "MED-2"), or cite it only inside a shorthand list or
    a range ("ENR-P3/P4/P5", "MED-1..MED-5"), so a search for the ID misses them. A nested
    function is excused when an enclosing one names the ID."""
    problems: list[str] = []
    for path in _python_files(CODE_ROOTS):
        rel = path.relative_to(REPO_ROOT)
        if _is_test_file(path) or "migrations" in rel.parts or path == Path(__file__).resolve():
            continue
        source = path.read_text(encoding="utf-8")
        if not RULE_ID.search(source):
            continue
        tree = ast.parse(source)
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and RULE_ID.fullmatch(node.value.value)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        lines = source.splitlines()
        scopes = _scopes(tree)
        named: dict[str, set[str]] = {}
        for scope in scopes:
            inner = [t for t in scopes if t is not scope and scope.start <= t.start <= scope.end]
            own = [
                lines[n - 1]
                for n in range(scope.start, scope.end + 1)
                if not any(t.start <= n <= t.end for t in inner)
            ]
            text = "\n".join(own)
            named[scope.qualname] = rule_ids_in(text)
            wanted = cited_rule_ids(text)
            wanted |= {
                constants[n.id]
                for n in ast.walk(scope.node)
                if isinstance(n, ast.Name) and n.id in constants
            }
            parts = scope.qualname.split(".")
            excused = set().union(
                *(named.get(".".join(parts[:i]), set()) for i in range(1, len(parts) + 1))
            )
            for rule_id in sorted(wanted - excused, key=_sort_key):
                problems.append(f"{rel.as_posix()}:{scope.line} {scope.qualname}: {rule_id}")
    return problems


# --- parameters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterRow:
    scope: str  # "default" or a county code
    value: str
    effective: str
    citation: str
    illustrative: str


@dataclass(frozen=True)
class ParameterInfo:
    path: str
    unit: str
    rows: tuple[ParameterRow, ...]


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return json.dumps(value)
    return str(value)


def _counties(policy: PolicySet) -> list[str]:
    return sorted(set(SEED_COUNTIES) | policy.counties())


def parameters_by_rule(policy: PolicySet) -> dict[str, list[ParameterInfo]]:
    """Each rule's parameters, with the latest value of the default and of every county."""
    # The loader keeps versions private; the map reads them whole rather than resolving one
    # date, so that it shows every scope's latest figure and reference.
    params = policy._parameters
    counties = _counties(policy)
    out: dict[str, list[ParameterInfo]] = defaultdict(list)
    for path in policy.paths:
        param = params[path]
        versions = list(param.default) + [v for vs in param.counties.values() for v in vs]
        text = " ".join([param.description, *(v.reference for v in versions)])
        ids = rule_ids_in(text)
        if not ids:
            continue
        rows = []
        default = param.default[-1] if param.default else None
        if default is None:
            rows.append(
                ParameterRow("default", "none: the county must publish its own figure", "", "", "")
            )
        else:
            rows.append(_row("default", default))
        for county in counties:
            own = param.counties.get(county)
            if own:
                rows.append(_row(county, own[-1]))
            elif county in SEED_COUNTIES:
                note = "the default" if default is not None else "none (422)"
                rows.append(ParameterRow(county, note, "", "", ""))
        info = ParameterInfo(path, str(param.unit or ""), tuple(rows))
        for rule_id in ids:
            out[rule_id].append(info)
    return out


def _row(scope: str, version: Any) -> ParameterRow:
    return ParameterRow(
        scope,
        _show(version.value),
        version.effective.isoformat(),
        version.reference,
        "yes" if version.illustrative else "no",
    )


# --- rendering -----------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _county_label(code: str) -> str:
    return f"{code} {SEED_COUNTIES[code]}" if code in SEED_COUNTIES else code


def render(rules: list[Rule], code: CodeIndex, params: dict[str, list[ParameterInfo]]) -> str:
    out = [
        "# Rules map",
        "",
        "<!-- Generated by `python -m shared.policy.rules_map` (make rules-map); do not edit by "
        "hand. -->",
        "",
        "Generated by `python -m shared.policy.rules_map` from shared/policy/rules/*.yaml (titles, "
        "seed quotes, readings), the code in services/ and shared/ (functions whose docstring, "
        "strings or comments name the rule ID), the parameter files (parameters whose description "
        "or reference names it) and the tests (test functions that name it). Do not edit by hand: "
        "change the sources and regenerate. Seed quotes are checked verbatim against "
        "shared/policy/seeds/. Parameter values are the latest version of each scope; a county "
        "without a figure of its own gets the default.",
        "",
        "| rule | title | seed | functions | parameters | tests |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules:
        anchor = rule.rule_id.lower()
        cites = "; ".join(dict.fromkeys(q.citation for q in rule.seeds))
        impl = len(code.implementations.get(rule.rule_id, ()))
        out.append(
            f"| [{rule.rule_id}](#{anchor}) | {_cell(rule.title)} | {_cell(cites)} | "
            f"{impl if impl or not rule.not_implemented else 'not implemented'} | "
            f"{len(params.get(rule.rule_id, ()))} | {len(code.tests.get(rule.rule_id, ()))} |"
        )
    domain = None
    for rule in rules:
        if rule.domain != domain:
            domain = rule.domain
            out += ["", f"## {DOMAINS[domain][0]}"]
        out += _render_rule(rule, code, params.get(rule.rule_id, []))
    return "\n".join(out) + "\n"


def _render_rule(rule: Rule, code: CodeIndex, params: list[ParameterInfo]) -> list[str]:
    out = ["", f'<a id="{rule.rule_id.lower()}"></a>', "", f"### {rule.rule_id} {rule.title}", ""]
    out += [f"- **{q.citation}**: 「{' '.join(q.quote.split())}」" for q in rule.seeds]
    if rule.readings:
        out += ["", "Readings:", ""]
        out += [f"- {' '.join(r.split())}" for r in rule.readings]
    impls = code.implementations.get(rule.rule_id, [])
    out += ["", "Implemented by:", ""]
    if impls:
        out += ["| function | where |", "|---|---|"]
        # No line numbers: the map goes stale when what implements a rule changes, not on
        # every edit above a function.
        out += [f"| `{r.name}` | {r.path} |" for r in impls]
    else:
        out.append("- (none)")
    out += ["", "Parameters:", ""]
    if params:
        out += ["| parameter | scope | value | from | citation | illustrative |"]
        out += ["|---|---|---|---|---|---|"]
        for info in params:
            unit = f" ({info.unit})" if info.unit else ""
            for i, row in enumerate(info.rows):
                name = f"`{info.path}`{unit}" if i == 0 else ""
                out.append(
                    f"| {name} | {_county_label(row.scope)} | {_cell(row.value)} | "
                    f"{row.effective} | {_cell(row.citation)} | {row.illustrative} |"
                )
    else:
        out.append("- (none)")
    tests = code.tests.get(rule.rule_id, [])
    out += ["", "Tests:", ""]
    out += [f"- {r.name}" for r in tests] or ["- (none)"]
    return out


def generate() -> str:
    policy = PolicySet.load(Settings().policy_dir)
    return render(load_rules(), scan_code(), parameters_by_rule(policy))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out} is stale; regenerate it with: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
