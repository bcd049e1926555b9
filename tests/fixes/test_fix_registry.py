"""Fixes register like checks, with what a person must know about them on the class."""

from __future__ import annotations

import pytest

from checks.engine import fix_ids
from checks.fixes import all_fixes
from checks.fixes.fix import RISKS, Fix, register


def test_every_fix_id_constant_names_a_registered_fix_and_back() -> None:
    constants = {v for k, v in vars(fix_ids).items() if k.isupper()}
    assert {f.id for f in all_fixes()} == constants


def test_what_cannot_be_undone_is_never_called_low_risk() -> None:
    for fix in all_fixes():
        assert fix.risk in RISKS
        if not fix.can_undo:
            assert fix.risk == "high", fix.id  # what cannot be undone is never "low"


def test_a_fix_with_an_unknown_risk_or_a_taken_id_is_refused() -> None:
    class Odd(Fix):
        id = "odd"
        risk = "tiny"

    with pytest.raises(ValueError, match="unknown risk"):
        register(Odd)

    class Twin(Fix):
        id = fix_ids.FLUSH_DNS

    all_fixes()  # the real one is registered first
    with pytest.raises(ValueError, match="registered twice"):
        register(Twin)
