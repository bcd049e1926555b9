"""The codes registry is the one list of codes: the catalog, the diagnosis and README agree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from checks.diagnosis.correlate import RULES
from checks.diagnosis.impact import IMPACT, IMPACT_ORDER
from checks.engine import codes

ROOT = Path(__file__).resolve().parents[2]
# Where codes are used: every one of them must come from the registry.
USERS = [*sorted((ROOT / "checks" / "catalog").glob("*.py")),
         *sorted((ROOT / "checks" / "probes").glob("*.py")),
         *sorted((ROOT / "checks" / "watch").glob("*.py")),
         *sorted((ROOT / "checks" / "diagnosis").glob("*.py")), ROOT / "checks" / "engine" / "runner.py"]


def _resolve(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "codes":
        value = getattr(codes, node.attr)
        assert isinstance(value, str), node.attr
        return value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def test_every_cause_a_check_names_is_registered() -> None:
    named: set[str] = set()
    for path in sorted((ROOT / "checks" / "catalog").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "cause":
                for value in ast.walk(node.value):
                    code = _resolve(value) if isinstance(value, ast.expr) else None
                    if code is not None:
                        named.add(code)
    assert named, "the catalog names no causes at all"
    assert named <= set(codes.CAUSES), named - set(codes.CAUSES)


def test_no_code_is_spelled_out_outside_the_registry() -> None:
    known = set(codes.FAILURES) | set(codes.CAUSES)
    spelled: list[str] = []
    for path in USERS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ids = {id(c) for n in ast.walk(tree) if isinstance(n, ast.Compare)
               and isinstance(n.left, ast.Attribute) and n.left.attr == "id"
               for c in ast.walk(n)}  # `result.id in ("tls", "http_hijack")`: check ids
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in known and id(node) not in ids:
                spelled.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert not spelled, spelled


def test_impact_order_is_every_cause_but_healthy_once() -> None:
    assert sorted(IMPACT_ORDER) == sorted(c for c in codes.CAUSES if c != codes.HEALTHY)
    assert len(set(IMPACT_ORDER)) == len(IMPACT_ORDER)
    assert all(why.strip() for _code, why in IMPACT)  # every place is explained
    assert set(RULES) <= set(IMPACT_ORDER)


def test_readme_cause_table_is_the_registry_in_impact_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Cause codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (.+?) \| (.+?) \|$", section, re.M)
    assert [code for code, _, _ in rows] == [codes.HEALTHY, *IMPACT_ORDER]
    for code, en, zh in rows:
        assert en == codes.CAUSES[code].summary.render("en"), code
        assert zh == codes.CAUSES[code].summary.render("zh"), code


def test_every_text_has_both_languages() -> None:
    for code, text in codes.FAILURES.items():
        assert text.en.strip() and text.zh.strip(), code
        assert text.en != text.zh, code
    for code, info in codes.CAUSES.items():
        for text in (info.summary, info.advice):
            assert text.en.strip() and text.zh.strip() and text.en != text.zh, code


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert codes.meaning("from_a_newer_version").render("zh") == "from_a_newer_version"
    assert "10054" in codes.meaning("tcp_error_10054").render("en")
    assert codes.meaning(codes.TCP_REFUSED).render("zh") == "被拒绝"
