"""set_mtu for real, on a veth pair inside a network namespace this test creates."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import pytest

from checks.fixes import FixEnv, FixError, Journal, get_fix
from checks.fixes.executor import apply_plan, undo_entry
from checks.platform.commands import run_command

pytestmark = pytest.mark.skipif(
    shutil.which("ip") is None or os.geteuid() != 0, reason="needs root and iproute2"
)


@pytest.fixture
def netns():
    name = f"wxdfix-{secrets.token_hex(3)}"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=10)
    try:
        subprocess.run(["ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"],
                       check=True, timeout=10)
        subprocess.run(["ip", "-n", name, "link", "set", "v0", "up"], check=True, timeout=10)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=10)


def mtu_of(ns: str, dev: str) -> int:
    out = subprocess.run(["ip", "-n", ns, "-o", "link", "show", "dev", dev], capture_output=True,
                         text=True, check=True, timeout=10).stdout
    return int(out.split(" mtu ")[1].split()[0])


def test_set_mtu_applies_and_undoes_inside_namespace(netns, data_dir, config):
    def runner(argv, timeout):
        return run_command(["ip", "netns", "exec", netns, *argv], timeout)

    report = {"checks": [{"id": "mtu", "status": "fail",
                          "evidence": {"path_mtu": 1400, "interface": "v0"}}]}
    fix = get_fix("set_mtu")
    plan = fix.plan(FixEnv(config=config, report=report, runner=runner))
    assert plan.blocked is None, plan.blocked
    assert plan.actions[0].argv == ["ip", "link", "set", "dev", "v0", "mtu", "1400"]
    assert plan.actions[0].data["previous"] == 1500
    journal = Journal()
    apply_plan(fix, plan, journal)
    assert mtu_of(netns, "v0") == 1400
    entry = Journal().load(journal.last.id)  # type: ignore[union-attr]
    assert entry.steps[0].backup == {"previous": 1500}
    undo_entry(fix, entry, FixEnv(config=config, runner=runner))
    assert mtu_of(netns, "v0") == 1500


def test_set_mtu_failure_is_rolled_back(netns, data_dir, config):
    def runner(argv, timeout):
        return run_command(["ip", "netns", "exec", netns, *argv], timeout)

    # A second step on an adapter that does not exist fails after the first changed v0.
    report = {"checks": [{"id": "mtu", "evidence": {"path_mtu": 1300, "interface": "v0"}}]}
    fix = get_fix("set_mtu")
    plan = fix.plan(FixEnv(config=config, report=report, runner=runner))
    plan.actions.append(plan.actions[0].__class__(
        kind="run", description=plan.actions[0].description,
        argv=["ip", "link", "set", "dev", "nonexistent0", "mtu", "1200"], needs_admin=True,
        data={**plan.actions[0].data, "interface": "nonexistent0"}))
    journal = Journal()
    with pytest.raises(FixError):
        apply_plan(fix, plan, journal)
    assert mtu_of(netns, "v0") == 1500
    assert Journal().load(journal.last.id).state == "rolled_back"  # type: ignore[union-attr]


def test_set_mtu_without_measurement_is_blocked(config):
    plan = get_fix("set_mtu").plan(FixEnv(config=config, report={"checks": []}))
    assert plan.blocked is not None and not plan.actions
