"""Every address of a server: connects to each one at once on loopback, the tcp verdict,
the matrix cell and the diagnosis on evidence recorded in the lab (one_dead_address:
login.wecom.lab.test resolves to two addresses, the router drops the first)."""

from __future__ import annotations

import copy
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checks.catalog.tcp_connect import assess_tcp
from checks.engine import codes
from checks.engine.config import load_config_text
from checks.engine.context import Context, make_context
from checks.engine.results import Status
from checks.probes import connections
from checks.report.matrix import build_matrix
from checks.report.rejudge import rejudged
from tests.fixtures.evidence.recorded import evidence

REPORTS = Path(__file__).resolve().parents[1] / "report" / "lab_reports"
LOGIN = "login.wecom.lab.test"
TIMEOUT_S = 1.5


def _ctx() -> Context:
    return make_context(load_config_text(f"[tcp]\ntimeout_s = {TIMEOUT_S}\n", "test"))


@pytest.fixture
def listeners() -> Iterator[dict[str, Any]]:
    """On one port: 127.0.0.1 answers; 127.0.0.2 is silent (its accept queue is full,
    so the kernel drops new SYNs: a connect times out); 127.0.0.3 refuses (nothing
    listens there)."""
    live = socket.socket()
    live.bind(("127.0.0.1", 0))
    live.listen(8)
    port = live.getsockname()[1]
    silent = socket.socket()
    silent.bind(("127.0.0.2", port))
    silent.listen(0)
    filler = socket.create_connection(("127.0.0.2", port), timeout=1)  # fills the queue
    yield {"port": port}
    for sock in (filler, silent, live):
        sock.close()


def test_the_answering_address_wins_at_once_when_a_silent_one_comes_first(
        listeners: dict[str, Any]) -> None:
    ctx = _ctx()
    start = time.monotonic()
    result = connections.first_answering(ctx, ["127.0.0.2", "127.0.0.1"], listeners["port"])
    elapsed = time.monotonic() - start
    assert result["ok"] and result["address"] == "127.0.0.1", result
    # Tried at the same moment, not after the silent one gave up.
    assert elapsed < TIMEOUT_S / 2, elapsed
    # The silent one's own connect goes on and is shared with whoever asks for it.
    every = connections.connect_all(ctx, ["127.0.0.2", "127.0.0.1", "127.0.0.3"],
                                    listeners["port"])
    assert [(r["address"], r["ok"], r["failure"]) for r in every] == [
        ("127.0.0.2", False, codes.TCP_TIMEOUT), ("127.0.0.1", True, None),
        ("127.0.0.3", False, codes.TCP_REFUSED)]
    ctx.close()


def test_when_no_address_answers_the_first_one_s_failure_counts(
        listeners: dict[str, Any]) -> None:
    ctx = _ctx()
    result = connections.first_answering(ctx, ["127.0.0.3", "127.0.0.2"], listeners["port"])
    assert (result["address"], result["ok"], result["failure"]) == (
        "127.0.0.3", False, codes.TCP_REFUSED)
    ctx.close()


def test_at_most_four_addresses_of_each_family() -> None:
    answer = {"A": {"addresses": [f"10.0.0.{i}" for i in range(1, 7)]},
              "AAAA": {"addresses": [f"fd00::{i}" for i in range(1, 7)]}}
    assert connections.every_address(answer) == [
        "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "fd00::1", "fd00::2", "fd00::3", "fd00::4"]
    assert connections.client_addresses(answer) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
    assert connections.client_addresses({"AAAA": {"addresses": ["fd00::9"]}}) == ["fd00::9"]


# ---- the verdict, on the recorded evidence ----------------------------------------------------

def test_one_dead_address_among_working_ones_is_a_warning_of_its_own() -> None:
    recorded = evidence("one_dead_address", "tcp")
    dead = [a for a in recorded["addresses"] if not a["ok"]]
    assert len(dead) == 1 and dead[0]["host"] == LOGIN  # as recorded: the first address
    verdict = assess_tcp(recorded)
    assert (verdict.status, verdict.cause) == (Status.WARN, codes.ADDRESS_BLOCKED)
    assert [(p.host, p.port, p.address, p.code) for p in verdict.problems] == [
        (LOGIN, 443, dead[0]["address"], codes.TCP_TIMEOUT)]
    for lang in ("en", "zh"):
        assert dead[0]["address"] in verdict.summary.render(lang)
    # The port connects went to the address that answered.
    assert all(p["ok"] and p["address"] != dead[0]["address"] for p in recorded["probes"])


def test_red_only_when_no_address_of_the_server_works() -> None:
    recorded = copy.deepcopy(evidence("one_dead_address", "tcp"))
    for row in [*recorded["addresses"], *recorded["probes"]]:
        if row["host"] == LOGIN:
            row.update(ok=False, failure=codes.TCP_TIMEOUT)
    verdict = assess_tcp(recorded)
    assert (verdict.status, verdict.cause) == (Status.FAIL, codes.TCP_BLOCKED)


def test_ipv6_failing_beside_working_ipv4_stays_the_ipv6_finding() -> None:
    verdict = assess_tcp(evidence("ipv6_blackhole", "tcp"))
    assert verdict.cause == codes.IPV6_BROKEN


# ---- the matrix and the diagnosis, on the recorded report ----------------------------------

def _report() -> dict[str, Any]:
    report: dict[str, Any] = json.loads((REPORTS / "one_dead_address.json").read_text("utf-8"))
    return report


def _dead_address(report: dict[str, Any]) -> str:
    tcp = next(c for c in report["checks"] if c["id"] == "tcp")
    (dead,) = [a["address"] for a in tcp["evidence"]["addresses"] if not a["ok"]]
    return str(dead)


def test_the_matrix_cell_names_the_dead_address_with_every_address_as_values() -> None:
    report = _report()
    dead = _dead_address(report)
    row = next(r for r in build_matrix(report)["rows"] if r["host"] == LOGIN)
    cell = row["cells"]["tcp_443"]
    assert cell["state"] == "warn" and row["state"] == "warn"
    assert cell["text"]["en"] == f"1 of 2 addresses silent: {dead}"
    assert cell["text"]["zh"] == f"2 个地址中 1 个没有应答：{dead}"
    assert sorted((a["address"] == dead, a["ok"], a["failure"]) for a in cell["addresses"]) == [
        (False, True, None), (True, False, codes.TCP_TIMEOUT)]
    assert row["cells"]["tcp_80"]["state"] == "ok"  # reached on the address that answers


def test_the_diagnosis_names_the_server_the_address_and_the_port_and_asks_it() -> None:
    report = _report()
    dead = _dead_address(report)
    for lang in ("en", "zh"):
        fresh = rejudged(report, lang)
        assert fresh["status"] == "warn" and fresh["diagnosis"]["primary"] == codes.ADDRESS_BLOCKED
        headline = fresh["headline"]
        assert all(s in headline["summary"] for s in (LOGIN, dead, "443")), headline["summary"]
        assert headline["ask_it"] is True and headline["fixes"] == []
        assert "Copy for IT" in headline["advice"] or "复制给网管" in headline["advice"]
        # The text for IT lists the dead address among what failed, and the domain to allow.
        assert f"{LOGIN}:443 ({dead})" in headline["for_it"] or \
            f"{LOGIN}:443（{dead}）" in headline["for_it"]
        assert f"- {LOGIN}  TCP 443" in headline["for_it"]
    en = rejudged(report, "en")["headline"]["summary"]
    assert en.startswith(f"1 of 2 addresses of {LOGIN} does not answer on port 443 ({dead})")
