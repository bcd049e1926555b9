"""The latency check: statistics and verdicts, and a real run on loopback."""

from __future__ import annotations

import socket

from checks.catalog.latency import LatencyCheck, assess_latency, summarize, target_port
from checks.engine.config import LatencyConfig, load_config_text
from checks.engine.results import Status
from checks.engine.runner import Runner
from tests.fixtures.evidence.recorded import evidence

LIMITS = LatencyConfig(warn_ms=300.0, loss_warn_pct=20.0)


def _samples(*values: float | str) -> list[dict]:  # type: ignore[type-arg]
    return [{"ms": v, "failure": None} if isinstance(v, (int, float)) else
            {"ms": None, "failure": v} for v in values]


def _evidence(*series: list[dict]) -> dict:  # type: ignore[type-arg]
    return {"series": [{"host": f"h{i}", "port": 443, "address": "10.0.0.1", "samples": s}
                       for i, s in enumerate(series)],
            "count": 5, "timeout_s": 2.0}


def test_summarize() -> None:
    s = summarize(_samples(10, 30, 20, "tcp_timeout", "tcp_refused"))
    assert s == {"sent": 5, "ok": 3, "lost": 1, "timeouts": 1, "errors": 1, "median_ms": 20.0,
                 "jitter_ms": 15.0, "loss_pct": 20.0}
    assert summarize([])["median_ms"] is None


def test_fast_is_ok() -> None:
    recorded = evidence("healthy", "latency")
    v = assess_latency(recorded, LIMITS)
    slowest = max(item["summary"]["median_ms"] for item in recorded["series"])
    assert v.status is Status.OK and f"{slowest:.0f} ms" in v.summary.render("en")


def test_real_slow_path_is_slow_not_lossy() -> None:
    """300 ms round trips with 3 % loss: slow, and the loss stays under the threshold."""
    v = assess_latency(evidence("slow_path_300ms", "latency"), LIMITS)
    assert (v.status, v.cause) == (Status.WARN, "slow_network")
    assert {p.code for p in v.problems} == {"slow_network"}


def test_heavy_loss_is_named_with_its_figure() -> None:
    recorded = evidence("loss_25", "latency")
    v = assess_latency(recorded, LIMITS)
    assert (v.status, v.cause) == (Status.WARN, "slow_network")
    assert "packet_loss" in {p.code for p in v.problems}
    loss = recorded["loss"]
    assert f"{loss['lost']} of {loss['sent']} test exchanges lost a packet" in v.summary.render("en")
    assert "丢包" in v.summary.render("zh")


def test_slow_median_is_warn_not_fail() -> None:
    v = assess_latency(_evidence(_samples(12, 15, 11, 13, 12),
                                 _samples(1010, 1020, 1005, 1012, 30)), LIMITS)
    assert (v.status, v.cause) == (Status.WARN, "slow_network")
    assert [p.host for p in v.problems] == ["h1"]


def test_loss_is_warn() -> None:
    v = assess_latency(_evidence(_samples(12, "tcp_timeout", 11, 13, 12)), LIMITS)
    assert (v.status, v.cause) == (Status.WARN, "slow_network")


def test_unreachable_servers_are_left_to_the_tcp_check() -> None:
    # The stale hosts-file address times out in tcp: latency does not wait for it again.
    recorded = evidence("hosts_stale", "latency")
    assert any(s["failure"] == "tcp_timeout" and not s["samples"] for s in recorded["series"])
    v = assess_latency(recorded, LIMITS)
    assert v.status is Status.OK
    v = assess_latency(evidence("port_443_rejected", "latency"), LIMITS)
    assert v.status is Status.ERROR and v.cause is None


def test_target_port_prefers_443() -> None:
    assert target_port((80, 443, 8080)) == 443
    assert target_port((8080, 80)) == 8080


def test_real_run_on_loopback() -> None:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        port = srv.getsockname()[1]
        config = load_config_text(
            "deadline_s = 5.0\n[latency]\ncount = 4\n"
            f'[[endpoints]]\nhost = "127.0.0.1"\nports = [{port}]\nproduct = "wecom"\n'
        )
        [result] = Runner(config, [LatencyCheck()]).run().results
    assert result.status is Status.OK, result.summary.render("en")
    [series] = result.evidence["series"]
    assert series["summary"]["sent"] == 4 and series["summary"]["ok"] == 4


def test_samples_not_answered_in_time_are_lost_without_waiting_for_them() -> None:
    """A server that takes one connection at a time (an accept queue of one, emptied
    every 0.1 s): the kernel drops the SYNs that find it full, and resends them only
    after a second. The samples still silent 0.7 s after the quickest one are counted
    lost at once (a later answer would count as lost too), and the evidence says so in
    both languages. The run's own connect gets in with a resend of its own (a hedge)."""
    import threading
    import time

    from checks.catalog.latency import LOST_AFTER_TEXT, RETRANSMIT_MS, show_evidence
    from checks.report.evidence_view import Line

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(0)
        srv.settimeout(0.05)
        port = srv.getsockname()[1]
        stop = threading.Event()

        def accept_slowly() -> None:
            accepted = []
            while not stop.is_set():
                try:
                    accepted.append(srv.accept()[0])
                except TimeoutError:
                    continue
                stop.wait(0.1)
            for conn in accepted:
                conn.close()

        server = threading.Thread(target=accept_slowly, daemon=True)
        server.start()
        config = load_config_text(
            "deadline_s = 8.0\n[latency]\ncount = 4\ntimeout_s = 3.0\n"
            f'[[endpoints]]\nhost = "127.0.0.1"\nports = [{port}]\nproduct = "wecom"\n'
        )
        started = time.monotonic()
        try:
            [result] = Runner(config, [LatencyCheck()]).run().results
        finally:
            took = time.monotonic() - started
            stop.set()
            server.join(5)
    [series] = result.evidence["series"]
    assert series["failure"] is None and series["address"] == "127.0.0.1", series
    answered = [s["ms"] for s in series["samples"] if s["failure"] is None]
    late = [s for s in series["samples"] if s.get("late")]
    assert answered and late and len(answered) + len(late) == 4, series
    assert series["summary"]["lost"] == len(late)
    assert series["lost_after_ms"] == round(min(answered) + RETRANSMIT_MS)
    assert "waited" not in series
    assert took < 2.0, took  # neither the 3 s wait nor the kernel's resends
    lines = [i for i in show_evidence(result.evidence) if isinstance(i, Line)]
    assert any(line.value == LOST_AFTER_TEXT for line in lines)
    assert "0.7" in LOST_AFTER_TEXT.render("en") and "0.7 秒" in LOST_AFTER_TEXT.render("zh")
