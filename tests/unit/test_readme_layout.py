"""README's Layout section names every module of checks/ and app/, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULE = re.compile(r"^[\w]+\.py$")


def _layout_modules() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    stack: list[str] = []
    found: set[str] = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = (len(line) - len(line.lstrip(" "))) // 2
        tokens = line.split()
        if tokens[0].endswith("/"):
            del stack[indent:]
            stack.append(tokens[0])
            continue
        for token in tokens:
            if not MODULE.match(token):
                break  # the description begins
            found.add("".join(stack[:indent]) + token)
    return found


def _tree_modules() -> set[str]:
    return {path.relative_to(ROOT).as_posix()
            for top in ("checks", "app") for path in (ROOT / top).rglob("*.py")
            if path.name != "__init__.py"}


def test_layout_lists_every_module_and_only_real_ones() -> None:
    layout, tree = _layout_modules(), _tree_modules()
    assert sorted(tree - layout) == [], "modules missing from README's Layout"
    assert sorted(layout - tree) == [], "README's Layout names modules that do not exist"


def test_the_adding_a_check_example_is_a_working_check() -> None:
    """README's example registers, collects, judges and shows its evidence like any check."""
    from checks.engine import check as registry
    from checks.engine.config import Config
    from checks.engine.context import make_context
    from checks.report.readable import render

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a check", 1)[1].split("## Diagnosis", 1)[0]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    before = dict(registry._REGISTRY)
    try:
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the README's own code)
        cls = registry.check_class("time_zone")
        assert cls is namespace["TimeZoneCheck"]
        ctx = make_context(Config())
        evidence = cls().collect(ctx)
        verdict = cls().assess(evidence, ctx)
        assert verdict.status.value in ("ok", "info")
        shown = render({"id": "time_zone", "evidence": evidence}, "en")
        assert shown.lines and shown.lines[0][0] == "Time zone"
        assert shown.lines[0][1].startswith("UTC")
    finally:
        registry._REGISTRY.clear()
        registry._REGISTRY.update(before)
