"""Path MTU in the lab: a 1400-byte server link, a black hole, ICMP blocked."""

from __future__ import annotations

import sys

import pytest

from tests.lab import Lab
from tests.lab.topology import REPO_ROOT

HOST = "mtu.wecom.lab.test"


def _config() -> dict[str, object]:
    return {"deadline_s": 8, "endpoints": [], "mtu": {"targets": [HOST], "timeout_s": 1.5}}


def _mtu(lab: Lab) -> dict:
    report, _rc, stderr = lab.check_json(_config(), "--only", "mtu")
    (result,) = [c for c in report["checks"] if c["id"] == "mtu"]
    return result


@pytest.fixture
def mtu_lab(lab: Lab) -> Lab:
    lab.add_host(HOST)
    return lab


def test_full_path_is_ok(mtu_lab: Lab) -> None:
    result = _mtu(mtu_lab)
    assert result["status"] == "ok", result
    ev = result["evidence"]
    assert ev["path_mtu"] == 1500
    assert ev["interface"] == "eth0" and ev["interface_mtu"] == 1500
    assert ev["address"] == mtu_lab.hosts[HOST].v4


@pytest.mark.parametrize("unprivileged", [False, True], ids=["raw", "dgram"])
def test_smaller_link_reported(mtu_lab: Lab, unprivileged: bool) -> None:
    if unprivileged:
        # Let every group open unprivileged ICMP sockets, as desktop distributions do.
        mtu_lab.client.run(["sh", "-c", "echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range"])
    mtu_lab.set_link_mtu(1400)
    result = _mtu(mtu_lab)
    ev = result["evidence"]
    assert ev["method"] == ("icmp_dgram" if unprivileged else "icmp_raw")
    assert ev["path_mtu"] == 1400, ev
    assert ev["sizes"]["1400"] == "passed" and ev["sizes"]["1401"] == "too_big"
    assert result["status"] == "info"
    assert result["cause"] is None
    assert result["fixes"] == ["set_mtu"]
    assert "1400" in result["advice"]
    assert ev["targets"][0]["reported_mtu"] == 1400
    assert ev["targets"][0]["black_hole"] is False


def test_black_hole_warns(mtu_lab: Lab) -> None:
    mtu_lab.set_link_mtu(1400, ends="router")
    mtu_lab.block_frag_needed()
    result = _mtu(mtu_lab)
    ev = result["evidence"]
    assert ev["path_mtu"] == 1400, ev
    assert ev["sizes"]["1500"] == "no_reply"
    assert result["status"] == "warn"
    assert result["cause"] == "pmtu_blackhole"
    assert result["problems"][0]["code"] == "pmtu_blackhole"


def test_black_hole_is_called_after_two_rounds(mtu_lab: Lab) -> None:
    """On a clean path the sizes the black hole rests on go unanswered in two rounds
    (two echoes each), and a third round is not asked for."""
    mtu_lab.set_link_mtu(1400, ends="router")
    mtu_lab.block_frag_needed()
    ev = _mtu(mtu_lab)["evidence"]
    tries = ev["targets"][0]["tries"]
    assert ev["targets"][0]["black_hole"] is True
    assert tries["1500"] == tries["1420"] == 4  # first round and its repeat
    assert tries["1401"] == 2  # a refinement's size: once, placing the limit


def _drop_first_echoes(lab: Lab, size: int, count: int) -> None:
    """The router drops the first `count` echoes of one packet size (then lets them by):
    packets lost, not too big."""
    from tests.lab.topology import ROUTER_CLIENT_DEV

    lab.router.iptables("-I", "FORWARD", "-i", ROUTER_CLIENT_DEV, "-p", "icmp", "--icmp-type",
                        "echo-request", "-m", "length", "--length", str(size), "-m", "quota",
                        "--quota", str(size * count), "-j", "DROP")


def test_lost_echoes_are_not_a_black_hole(mtu_lab: Lab) -> None:
    """A path that loses echoes (a small size went unanswered while bigger ones passed):
    the silent largest size is asked again with twice the echoes, so four lost echoes of
    it in two rounds do not make a black hole."""
    _drop_first_echoes(mtu_lab, 1000, 2)  # both echoes of the first round: loss is seen
    _drop_first_echoes(mtu_lab, 1500, 4)  # two echoes in each of two rounds
    result = _mtu(mtu_lab)
    ev = result["evidence"]
    assert ev["path_mtu"] == 1500, ev
    assert ev["targets"][0]["black_hole"] is False
    assert ev["targets"][0]["tries"]["1500"] >= 5, ev  # 2 + 4 echoes: the repeat doubled
    assert result["status"] == "ok", result


def test_icmp_blocked_is_grey(mtu_lab: Lab) -> None:
    mtu_lab.router.iptables("-I", "FORWARD", "-p", "icmp", "-j", "DROP")
    result = _mtu(mtu_lab)
    assert result["status"] == "error"
    assert result["problems"][0]["code"] == "icmp_blocked"
    assert result["evidence"]["path_mtu"] is None
    assert set(result["evidence"]["sizes"].values()) == {"no_reply"}


def test_ping_command_backend(mtu_lab: Lab) -> None:
    """The exit-code-only path used on Windows/macOS, exercised with iputils ping."""
    mtu_lab.set_link_mtu(1400)
    code = (
        "from checks.platform import _common\n"
        f"addr = {mtu_lab.hosts[HOST].v4!r}\n"
        "print(_common.ping_df('linux', addr, 1400, 1.0)['result'],"
        " _common.ping_df('linux', addr, 1401, 1.0)['result'])\n"
    )
    proc = mtu_lab.client.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=False)
    assert proc.stdout.split() == ["passed", "failed"], proc.stderr


def test_silent_network_ends_by_the_deadline(mtu_lab: Lab) -> None:
    """Everything dropped: the check still answers (grey), within the run's deadline."""
    mtu_lab.blackhole()
    config = {**_config(), "deadline_s": 3,
              "mtu": {"targets": [mtu_lab.hosts[HOST].v4], "timeout_s": 2.0}}
    report, _rc, _err = mtu_lab.check_json(config, "--only", "mtu,clock,proxy,vpn")
    result = [c for c in report["checks"] if c["id"] == "mtu"][0]
    assert result["status"] == "error"
    assert result["problems"][0]["code"] == "icmp_blocked"
    assert not report["cancelled"]
