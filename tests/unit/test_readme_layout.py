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
