"""Small modules: no module of the program (checks/, app/) passes 450 lines."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 450


def test_no_module_of_the_program_passes_450_lines() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for top in ("checks", "app") for p in (ROOT / top).rglob("*.py")}
    assert len(sizes) > 100  # the tree was found
    assert {path: n for path, n in sizes.items() if n > LIMIT} == {}
