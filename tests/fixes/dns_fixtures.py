"""What the DNS fix's tests plan from: real captured OS output, the registry as a real
`reg query` printed it, and runs recorded in the lab.

The Windows registry and the OS commands cannot be reached on Linux, so small stand-ins
answer with the captured text (tests/fixtures/platform, sources in SOURCES.md) and
change their state the way the OS does when a command sets something. Everything
above them (what is read, planned, backed up, set and restored) is the real code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from checks.platform.commands import CommandResult
from tests.fixtures.evidence.recorded import recording

PLATFORM = Path(__file__).resolve().parents[1] / "fixtures" / "platform"
WIN, MAC, LINUX = PLATFORM / "windows", PLATFORM / "macos", PLATFORM / "linux"
REG_TYPES = {"REG_SZ": 1, "REG_DWORD": 4, "REG_MULTI_SZ": 7, "REG_BINARY": 3}


def reg_query_values(text: str) -> dict[tuple[str, str, str], tuple[Any, int]]:
    """The values `reg query … /s` printed: (hive, key, name) -> (value, type), keys in
    lower case (the registry ignores case)."""
    values: dict[tuple[str, str, str], tuple[Any, int]] = {}
    key = None
    for line in text.splitlines():
        if line.startswith("HKEY_LOCAL_MACHINE\\"):
            key = line[len("HKEY_LOCAL_MACHINE\\"):].strip().lower()
            continue
        match = re.match(r"^    (\S+)    (REG_\w+)(?:    (.*))?$", line)
        if match is None or key is None:
            continue
        name, kind, value = match.group(1), match.group(2), match.group(3) or ""
        parsed: Any = int(value, 16) if kind == "REG_DWORD" else value
        values[("HKLM", key, name)] = (parsed, REG_TYPES[kind])
    return values


class Registry:
    """Values by (hive, key, name), as winreg holds them."""

    def __init__(self, values: dict[tuple[str, str, str], tuple[Any, int]]) -> None:
        self.values = dict(values)

    def read_registry_value(self, hive: str, key: str, name: str) -> tuple[Any, int] | None:
        return self.values.get((hive, key.lower(), name))

    def write_registry_value(self, hive: str, key: str, name: str,
                             value: tuple[Any, int] | None) -> None:
        if value is None:
            self.values.pop((hive, key.lower(), name), None)
        else:
            self.values[(hive, key.lower(), name)] = value


def section(path: Path, command: str) -> str:
    """What one `$ command` printed in a captured terminal session (until the next
    prompt); the first answer when it was run twice."""
    text = path.read_text("utf-8")
    after = re.split(r"^\S*\$ " + re.escape(command) + r"\n", text, maxsplit=1, flags=re.M)[1]
    return re.split(r"^\S*\$ ", after, maxsplit=1, flags=re.M)[0]


def ok(argv: list[str], stdout: str = "") -> CommandResult:
    return CommandResult(list(argv), 0, stdout)


def failed(argv: list[str], stderr: str, code: int = 1) -> CommandResult:
    return CommandResult(list(argv), code, "", stderr)


def lab_report(scenario: str = "dns_server_down", swap: dict[str, str] | None = None
               ) -> dict[str, Any]:
    """A run recorded in the lab (network, DNS, pollution checks), its words swapped
    where a test needs another adapter, router or DNS server (the lab's are eth0,
    10.201.1.1 and 10.201.2.53)."""
    checks = []
    for check in ("network", "dns", "dns_pollution"):
        text = json.dumps(recording(scenario, check), ensure_ascii=False)
        for old, new in (swap or {}).items():
            text = text.replace(f'"{old}"', f'"{new}"')
        record = json.loads(text)
        checks.append({"id": check, "status": record["status"], "evidence": record["evidence"],
                       "problems": record["problems"]})
    return {"checks": checks}
