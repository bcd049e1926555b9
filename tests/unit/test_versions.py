from __future__ import annotations

import pytest

from checks.engine.config import ConfigError, load_config_text
from checks.tencent.versions import compare, parse_version


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("4.1.33.6011", "3.1.12", 1),
        ("3.1.12", "3.1.12", 0),
        ("3.1.12.1000", "3.1.12", 1),
        ("3.1.9", "3.1.12", -1),  # numeric, not string, comparison
        ("3.1", "3.1.0", 0),
        ("V3.1.8 (Build 12)", "3.1.8", 0),
        ("企业微信 4.0.8.6027", "3.1.12", 1),
    ],
)
def test_compare(a: str, b: str, expected: int) -> None:
    assert compare(a, b) == expected


def test_unparsable() -> None:
    assert parse_version("beta") is None
    assert compare("beta", "1.0") is None


def test_config_rejects_bad_min_version() -> None:
    with pytest.raises(ConfigError, match="client.min_versions.wecom_windows"):
        load_config_text('[client.min_versions]\nwecom_windows = "latest"')


def test_defaults_from_the_source_articles() -> None:
    mins = load_config_text("").client.min_versions
    assert (mins.wecom_windows, mins.wecom_macos) == ("3.1.12", "3.1.8")
    assert mins.wechat_windows == ""
