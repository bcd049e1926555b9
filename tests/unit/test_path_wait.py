"""The waits scaled to the measured path: the arithmetic, what counts as measured, and a
live wait that a measurement arriving meanwhile shortens."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from checks.engine import codes
from checks.engine.path_wait import RULES, Measured, PathTimes, Wait, scaled
from checks.probes import tcp


def test_nothing_measured_waits_the_floor() -> None:
    """Nothing has answered yet: the floor (a resend's room), never above the ceiling."""
    assert scaled("tcp", 3.0, None) == 1.1
    assert scaled("dns", 3.0, None) == 1.0
    assert scaled("tcp", 0.5, None) == 0.5
    # Something answered but gave no round trip (a DNS server still asking further).
    assert scaled("dns", 2.7, Measured(None, "dns_server_working", "10.0.0.53")) == 2.7


def test_a_fast_path_waits_the_floor_a_slow_one_up_to_the_ceiling() -> None:
    fast = Measured(6.0, "connect", "10.0.0.1:80")
    assert scaled("tcp", 3.0, fast) == RULES["tcp"].floor_s == 1.1
    assert scaled("tls", 4.0, fast) == RULES["tls"].floor_s
    middle = Measured(200.0, "trusted_dns", "10.0.0.2")
    assert scaled("tcp", 3.0, middle) == pytest.approx(10 * 0.2)
    slow = Measured(300.0, "dns_server", "10.0.0.53")
    assert scaled("tcp", 3.0, slow) == 3.0  # 10 x 300 ms, the configured ceiling
    assert scaled("tls", 4.0, slow) == pytest.approx(3.6)
    # The ceiling stays the configured value, whatever the path.
    assert scaled("tcp", 0.5, fast) == 0.5


def test_every_floor_lets_a_resend_in() -> None:
    # A hedged connect resends at half of the wait: at the floor that leaves half a
    # second for the answer; Linux's own resend after 1 s still fits in the TCP floor.
    assert RULES["tcp"].floor_s / 2 >= 0.5 and RULES["tcp"].floor_s > 1.0
    assert all(rule.floor_s >= 1.0 and rule.multiple >= 10 for rule in RULES.values())


def test_the_path_is_the_slowest_target_at_its_quickest() -> None:
    path = PathTimes()
    assert path.measured() is None
    path.record("gateway", "192.168.1.1", 0.4)
    path.record("connect", "10.0.0.1", 30.0, 443)
    path.record("connect", "10.0.0.1", 8.0, 443)  # the same target, answered faster
    path.record("dns_server", "10.0.0.53", 5.0)
    assert path.measured() == Measured(8.0, "connect", "10.0.0.1:443")
    path.record("trusted_dns", "10.0.0.2", 12.0)
    assert path.measured() == Measured(12.0, "trusted_dns", "10.0.0.2")


def test_this_computer_and_missing_values_are_not_the_path() -> None:
    path = PathTimes()
    path.record("dns_server", "127.0.0.53", 0.1)  # a local stub says nothing of the path
    path.record("dns_server", "::1", 0.1)
    path.record("connect", "10.0.0.1", None, 443)
    path.record("connect", "10.0.0.1", True, 443)
    path.record("connect", "10.0.0.1", -1.0, 443)
    assert path.measured() is None
    path.record("connect", "fe80::1%eth0", 2.0, 80)
    assert path.measured() == Measured(2.0, "connect", "[fe80::1%eth0]:80")


def test_a_live_wait_follows_what_is_measured_meanwhile() -> None:
    path = PathTimes()
    wait = Wait("tcp", 3.0, path)
    assert wait.total() == 1.1
    assert wait.said() == {"s": 1.1, "ceiling_s": 3.0, "rtt_ms": None, "from": None,
                           "target": None}
    path.record("trusted_dns", "10.0.0.2", 6.0)
    assert wait.total() == 1.1
    assert wait.said() == {"s": 1.1, "ceiling_s": 3.0, "rtt_ms": 6.0, "from": "trusted_dns",
                           "target": "10.0.0.2"}
    # A slower target answering meanwhile lengthens the wait already running.
    path.record("connect", "10.0.0.9", 250.0, 443)
    assert wait.total() == 2.5
    assert wait.end() == pytest.approx(wait.start + 2.5)


def test_a_wait_ends_at_the_deadline_and_when_no_longer_needed() -> None:
    stop = threading.Event()
    wait = Wait("tcp", 3.0, PathTimes(), deadline_at=time.monotonic() + 0.5, stop=stop)
    assert wait.end() <= wait.start + 0.5 + 0.01
    stop.set()
    assert wait.end() == wait.start and wait.left() <= 0


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose accept queue is full: further SYNs are dropped (silence)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        fillers.append(sock)
    time.sleep(0.05)
    probe = socket.socket()
    probe.settimeout(0.2)
    try:
        probe.connect(("127.0.0.1", port))
        silent = False
    except OSError:
        silent = True
    finally:
        probe.close()
    try:
        if not silent:
            pytest.skip("this kernel answers SYNs beyond a full accept queue")
        yield port
    finally:
        for sock in fillers:
            sock.close()
        server.close()


def test_a_silent_connect_gives_up_at_the_scaled_wait_and_says_why(silent_port: int) -> None:
    """The connect starts with nothing measured (the configured 3 s); a round trip
    measured meanwhile scales its wait down to the floor, and its evidence says so."""
    path = PathTimes()
    wait = Wait("tcp", 3.0, path)
    threading.Timer(0.1, lambda: path.record("trusted_dns", "10.0.0.2", 6.0)).start()
    result, sock = tcp.connect_hedged("127.0.0.1", silent_port, wait)
    assert sock is None and result["failure"] == codes.TCP_TIMEOUT
    assert result["attempts"] == 3  # the hedged resends went out within the shorter wait
    assert result["waited"] == {"s": 1.1, "ceiling_s": 3.0, "rtt_ms": 6.0,
                                "from": "trusted_dns", "target": "10.0.0.2"}


def test_a_dns_server_that_answers_is_waited_for_at_its_own_pace() -> None:
    """The system lookup's give-up: a server that answers the liveness question but no
    name yet may be asking further (the configured time); one that answered names sets
    the pace by its slowest answer; none answering at all: the path decides."""
    from checks.probes.dns_server_state import ServerState

    state = ServerState()
    assert state.basis() is None  # nothing answered: the caller falls back to the path
    state.answered("10.0.0.53", 0.8, liveness=True)
    working = state.basis()
    assert working == Measured(None, "dns_server_working", "10.0.0.53")
    assert scaled("dns", 2.7, working) == 2.7
    state.answered("10.0.0.53", 4.0)
    state.answered("10.0.0.53", 90.0)
    state.answered("10.0.0.53", 2.0)
    names = state.basis()
    assert names == Measured(90.0, "dns_server_names", "10.0.0.53")
    assert scaled("dns", 2.7, names) == 1.0  # 10 x 90 ms is under the floor
    state.answered("10.0.0.53", 150.0)
    assert scaled("dns", 2.7, state.basis()) == pytest.approx(1.5)


def test_a_path_that_lost_a_packet_gives_handshakes_room_for_resends() -> None:
    """On a fast path a handshake waits a second; once the run knows the path loses
    packets (a connect answered only on its resend), the configured 4 s, for a segment
    lost four times in a row, and a SYN 3 s (its hedges spread over it). A
    server on this computer losing packets says nothing about the path."""
    from checks.engine.path_wait import PathTimes, Wait
    from checks.report.wait_words import waited

    path = PathTimes()
    path.record("connect", "10.0.0.5", 6.0, 443)
    assert Wait("tls", 4.0, path).total() == 1.0
    path.record_loss("127.0.0.1")
    assert Wait("tls", 4.0, path).total() == 1.0
    path.record_loss("10.0.0.5")
    tls, http, tcp = Wait("tls", 4.0, path), Wait("http", 4.0, path), Wait("tcp", 3.0, path)
    assert (tls.total(), http.total(), tcp.total()) == (4.0, 4.0, 3.0)
    assert Wait("tls", 2.0, path).total() == 2.0  # the configured time stays the ceiling
    said = tls.said()
    assert said["lost"] == 1
    assert "lost" not in Wait("ntp", 1.0, path).said()  # no room made: none claimed
    text = waited({"waited": said})
    assert text is not None
    assert text.render("en") == ("waited 4 s: the path answers in 6 ms (a connection to "
                                 "10.0.0.5:443) but loses packets, so room was left for resends")
    assert "丢包" in text.render("zh")


def test_nothing_answered_yet_is_said_so_without_calling_it_the_time_set() -> None:
    from checks.engine.path_wait import PathTimes, Wait
    from checks.report.wait_words import waited

    wait = Wait("tcp", 3.0, PathTimes())
    assert wait.total() == 1.1
    text = waited({"waited": wait.said()})
    assert text is not None and text.render("en") == (
        "waited 1.1 s: nothing on this network had answered yet")


@pytest.fixture
def full_listener() -> Iterator[int]:
    """A port on loopback whose accept queue is full: the kernel drops every new SYN,
    and the connects wait on silence (resent after 1 s, 3 s, ...)."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(0)
        port = srv.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):  # fills the queue
            yield port


def test_a_timeout_given_outside_a_run_is_waited_in_full(full_listener: int) -> None:
    """The watch and other callers outside a run pass seconds: nothing is measured
    there, so no floor replaces what they asked for (2 s, not the 1.1 s SYN floor)."""
    started = time.monotonic()
    result, sock = tcp.connect_hedged("127.0.0.1", full_listener, 2.0)
    took = time.monotonic() - started
    assert sock is None and result["failure"] == codes.TCP_TIMEOUT, result
    assert took >= 1.9, took


def test_late_samples_are_given_up_once_they_count_as_lost() -> None:
    """connect_many with `lost_after_s`: once one sample answered, the rest are waited
    for that much longer only (not the 3 s wait, nor the kernel's resend at 1 s), and
    marked late: lost either way."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(0)  # one connect fits in the queue, the others' SYNs are dropped
        started = time.monotonic()
        samples = tcp.connect_many("127.0.0.1", srv.getsockname()[1], 3, 3.0, lost_after_s=0.3)
        took = time.monotonic() - started
    assert samples[0]["failure"] is None, samples
    assert [(s["failure"], s.get("late")) for s in samples[1:]] == [(codes.TCP_TIMEOUT, True)] * 2
    assert took < 0.9, took
