"""The clock fix: resync within Windows Time's limits, set the time itself beyond them,
decided from the offset it measures again (never from the journal), verified afterwards.

The decisions and the allowed argv are pure and tested as data. The Windows step runs its
real code with three things that cannot exist on Linux standing in: the registry (an
in-memory one, as in test_windows_macos_fixes), SetSystemTime (a recorder) and the time
servers (answers handed in through FixEnv.ntp; the measurement itself runs against real
NTP servers in the lab, tests/test_lab_clock_fix.py). w32tm's answers are its real
captured output (tests/fixtures/platform/windows/w32tm-*).
"""

from __future__ import annotations

import time

import pytest

from checks import platform
from checks.fixes import FixEnv, FixError, Journal, get_fix
from checks.fixes import clock_setting as clock
from checks.fixes.executor import apply_plan, undo_entry
from checks.platform.commands import CommandResult
from checks.platform.system_tools import macos_tool, windows_tool
from tests.captures import windows

SC, W32TM = windows_tool("sc"), windows_tool("w32tm")
HOURS = 3600.0
# w32tm's real words (SOURCES.md, section 9).
NOT_READY_EN = windows("w32tm-resync-force-en-win11-no-time-data.txt")
RESYNC_OK_ZH = "\n".join(line for line in windows(
    "w32tm-zh-cn-service-not-started-then-resync-ok.txt").splitlines()
    if "resync 命令" in line or "成功地执行了命令" in line)
NOT_STARTED_ZH = "\n".join(line for line in windows(
    "w32tm-zh-cn-service-not-started-then-resync-ok.txt").splitlines() if "0x80070426" in line)


def answers(*offsets: float, servers: tuple[str, ...] = ("ntp.tencent.com", "ntp1.aliyun.com",
                                                         "cn.pool.ntp.org")) -> list[clock.Answer]:
    return [clock.Answer(s, s, 123, o) for s, o in zip(servers, offsets, strict=False)]


# ---- the decision ---------------------------------------------------------------------------

def test_within_windows_times_limit_the_service_resyncs():
    decision = clock.decide(answers(600.0, 600.4), 4, clock.Limits())
    assert (decision.mode, round(decision.offset_s or 0)) == ("resync", 600)
    assert decision.servers == ["ntp.tencent.com", "ntp1.aliyun.com"]


@pytest.mark.parametrize("offset", [20 * HOURS, -3 * 365 * 24 * HOURS])
def test_beyond_it_the_time_is_set_when_two_servers_agree(offset):
    decision = clock.decide(answers(offset, offset + 0.5, 0.0), 4, clock.Limits())
    assert decision.mode == "set" and abs((decision.offset_s or 0) - offset) < 1
    assert decision.servers == ["ntp.tencent.com", "ntp1.aliyun.com"]  # the odd one out left out


def test_one_server_alone_never_moves_the_clock_by_hours():
    decision = clock.decide(answers(20 * HOURS), 4, clock.Limits())
    assert decision.mode == "refuse"
    assert "no second time server confirms it" in (decision.reason or clock.t("", "")).render("en")
    # ... unless it is the only one there is to ask.
    assert clock.decide(answers(20 * HOURS), 1, clock.Limits()).mode == "set"
    assert clock.decide([], 4, clock.Limits()).mode == "refuse"


def test_limits_come_from_the_registry_and_differ_per_direction():
    registry = {"MaxPosPhaseCorrection": 54000, "MaxNegPhaseCorrection": 0xFFFFFFFF}
    limits = clock.limits_from(registry.get)
    assert limits.allows(-400 * 24 * HOURS)  # a domain-style "always" for clocks ahead
    assert not limits.allows(16 * HOURS) and limits.allows(14 * HOURS)
    assert clock.limits_from({}.get) == clock.Limits(54000, 54000)  # missing: standalone default


def test_windows_time_is_pointed_at_the_servers_that_answered_and_nothing_else():
    fix = get_fix("resync_clock")
    peers = clock.peer_list(answers(1.0, 1.2))
    argv = clock.w32tm_config_argv(peers)
    assert argv == [W32TM, "/config", "/manualpeerlist:ntp.tencent.com,0x8 ntp1.aliyun.com,0x8",
                    "/syncfromflags:manual", "/update"]
    assert fix.allows(argv)
    for bad in ("/manualpeerlist:evil.example.com,0x8",  # not a configured server
                "/manualpeerlist:ntp.tencent.com,0x8 /update",
                "/manualpeerlist:ntp.tencent.com,0x9",
                '/manualpeerlist:"ntp.tencent.com,0x8"',
                "/manualpeerlist:ntp.tencent.com,0x8;calc"):
        assert not fix.allows([W32TM, "/config", bad, "/syncfromflags:manual", "/update"]), bad
    # macOS: sntp only with a server of the built-in list or IT's settings.
    assert fix.allows([macos_tool("sntp"), "-sS", "ntp.tencent.com"])
    assert not fix.allows([macos_tool("sntp"), "-sS", "evil.example.com"])
    assert clock.peer_list([clock.Answer("10.0.0.9:10123", "10.0.0.9", 10123, 1.0)]) == ""


# ---- the Windows step, with the registry, SetSystemTime and the servers standing in ---------

class Machine:
    """The registry values the fix reads and writes, the clock it sets, the commands."""

    def __init__(self, monkeypatch, measurements, w32tm=((0, RESYNC_OK_ZH),)):
        self.values = {("HKLM", clock.W32TIME_PARAMETERS.lower(), "NtpServer"): ("time.windows.com,0x9", 1),
                       ("HKLM", clock.W32TIME_PARAMETERS.lower(), "Type"): ("NTP", 1)}
        self.set_to: list[float] = []
        self.calls: list[list[str]] = []
        self.measurements = list(measurements)
        self.w32tm = list(w32tm)
        monkeypatch.setattr(platform, "read_registry_value",
                            lambda h, k, n: self.values.get((h, k.lower(), n)))
        monkeypatch.setattr(platform, "write_registry_value", self.write)
        monkeypatch.setattr(platform, "set_system_time", self.set_to.append)
        import checks.fixes.resync_clock as resync

        monkeypatch.setattr(resync, "PLATFORM", "windows")
        monkeypatch.setattr(resync.ResyncClock, "retry_delays_s", (0.0, 0.0, 0.0))

    def write(self, hive, key, name, value):
        if value is None:
            self.values.pop((hive, key.lower(), name), None)
        else:
            self.values[(hive, key.lower(), name)] = value

    def run(self, argv, timeout):
        self.calls.append(list(argv))
        if argv[0] == SC:
            return CommandResult(list(argv), 1056, "[SC] StartService FAILED 1056")
        if argv[1] == "/resync":
            code, out = self.w32tm.pop(0) if len(self.w32tm) > 1 else self.w32tm[0]
            return CommandResult(list(argv), code, out)
        return CommandResult(list(argv), 0, "成功地执行了命令。")

    def ntp(self, servers, timeout):
        return self.measurements.pop(0)

    def env(self, config):
        report = {"checks": [{"id": "clock", "evidence": {"offset_s": 72000.0, "servers": [
            {"server": "ntp.tencent.com", "ok": True, "offset_s": 72000.0},
            {"server": "ntp1.aliyun.com", "ok": True, "offset_s": 72000.4}]}}]}
        return FixEnv(config=config, report=report, runner=self.run, ntp=self.ntp)


def apply(machine, config):
    fix = get_fix("resync_clock")
    plan = fix.plan(machine.env(config))
    return fix, apply_plan(fix, plan, Journal())


def test_hours_off_the_helper_sets_the_time_itself_then_windows_time_keeps_it(
        monkeypatch, config, data_dir):
    machine = Machine(monkeypatch, [answers(72000.0, 72000.3), answers(0.1, -0.2)])
    before = time.time()
    fix, entry = apply(machine, config)
    (set_to,) = machine.set_to
    assert before + 72000 - 1 < set_to < time.time() + 72000 + 1
    assert machine.calls[0] == [SC, "start", "w32time"]
    assert machine.calls[1] == [W32TM, "/config", "/manualpeerlist:ntp.tencent.com,0x8 ntp1.aliyun.com,0x8",
                                "/syncfromflags:manual", "/update"]
    assert entry.state == "applied" and entry.steps[0].facts["measured"]["mode"] == "set"
    assert entry.steps[0].facts["after_s"] == pytest.approx(-0.05)
    # Undo: Windows Time's previous servers come back from the copy under HKLM; the clock stays.
    notes = undo_entry(fix, entry, machine.env(config))
    assert machine.values[("HKLM", clock.W32TIME_PARAMETERS.lower(), "NtpServer")][0] == "time.windows.com,0x9"
    assert machine.calls[-1] == [W32TM, "/config", "/update"]
    assert "cannot be restored" in notes[0].render("en") and len(machine.set_to) == 1
    assert not [k for k in machine.values if k[1] == clock.W32TIME_BACKUP.lower()]


def test_minutes_off_windows_time_resyncs_after_the_service_is_ready(monkeypatch, config, data_dir):
    machine = Machine(monkeypatch, [answers(600.0, 600.2), answers(0.0, 0.1)],
                      w32tm=[(1, NOT_STARTED_ZH), (1, NOT_READY_EN), (0, RESYNC_OK_ZH)])
    _fix, entry = apply(machine, config)
    assert machine.set_to == []  # within 15 hours: the time service's job
    assert [c for c in machine.calls if c[1:] == ["/resync", "/force"]] == [[W32TM, "/resync", "/force"]] * 3
    assert entry.steps[0].facts["measured"]["mode"] == "resync"


def test_a_slewing_windows_time_is_followed_by_setting_the_time(monkeypatch, config, data_dir):
    """w32tm accepted, but the clock is still 40 s off (it corrects small offsets slowly)."""
    machine = Machine(monkeypatch, [answers(40.0, 40.2), answers(39.0, 39.1), answers(0.0, 0.2)])
    apply(machine, config)
    assert len(machine.set_to) == 1


def test_a_clock_still_wrong_afterwards_fails_and_is_put_back(monkeypatch, config, data_dir):
    machine = Machine(monkeypatch, [answers(72000.0, 72000.1)] + [answers(72000.0, 72000.1)] * 3)
    with pytest.raises(FixError, match="still"):
        apply(machine, config)
    ntp_server = machine.values[("HKLM", clock.W32TIME_PARAMETERS.lower(), "NtpServer")]
    assert ntp_server[0] == "time.windows.com,0x9" and machine.calls[-1] == [W32TM, "/config", "/update"]


def test_one_far_server_changes_nothing(monkeypatch, config, data_dir):
    machine = Machine(monkeypatch, [answers(72000.0)])
    with pytest.raises(FixError, match="no second time server"):
        apply(machine, config)
    assert machine.set_to == [] and not [c for c in machine.calls if c[0] == W32TM]


def test_w32tm_errors_other_than_not_ready_stop_at_once(monkeypatch, config, data_dir):
    denied = "The following error occurred: Access is denied. (0x80070005)"
    machine = Machine(monkeypatch, [answers(600.0, 600.1)], w32tm=[(5, denied)])
    with pytest.raises(FixError, match="Access is denied"):
        apply(machine, config)
    assert len([c for c in machine.calls if c[1:] == ["/resync", "/force"]]) == 1


def test_a_domain_members_time_service_keeps_following_the_domain(monkeypatch, config, data_dir):
    machine = Machine(monkeypatch, [answers(72000.0, 72000.3), answers(0.1, -0.2)])
    machine.values[("HKLM", clock.W32TIME_PARAMETERS.lower(), "Type")] = ("NT5DS", 1)
    apply(machine, config)
    assert len(machine.set_to) == 1  # the clock is put right...
    assert not [c for c in machine.calls if c[1] == "/config"]  # ...its servers stay the domain's
