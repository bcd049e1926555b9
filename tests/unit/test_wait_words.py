"""How long a probe waited for silence, and why, as a person reads it."""

from __future__ import annotations

import re

from checks.catalog.tcp_connect import show_evidence as show_tcp
from checks.diagnosis.facts import Facts
from checks.diagnosis.for_it import it_text
from checks.engine.results import CheckResult, Problem, Status
from checks.report.evidence_view import Line
from checks.report.wait_words import waited, waits_line
from checks.shared.i18n import t

FAST = {"s": 1.1, "ceiling_s": 3.0, "rtt_ms": 6.0, "from": "connect", "target": "10.0.0.5:80"}


def test_a_scaled_wait_says_the_round_trip_it_followed() -> None:
    said = waited({"waited": FAST})
    assert said is not None
    assert said.render("en") == "waited 1.1 s: the path answers in 6 ms (a connection to 10.0.0.5:80)"
    assert said.render("zh") == "等待了 1.1 秒：该网络路径的往返时间为 6 毫秒（到 10.0.0.5:80 的连接）"


def test_every_reason_in_words_without_codes() -> None:
    cases = [
        {"s": 3.0, "ceiling_s": 3.0, "rtt_ms": None, "from": None, "target": None},
        {"s": 2.7, "ceiling_s": 2.7, "rtt_ms": None, "from": "dns_server_working",
         "target": "10.0.0.53"},
        {"s": 1.0, "ceiling_s": 2.7, "rtt_ms": 0.4, "from": "dns_server_names",
         "target": "10.0.0.53"},
        *({"s": 1.0, "ceiling_s": 2.0, "rtt_ms": 0.04, "from": source, "target": "10.0.0.1"}
          for source in ("gateway", "dns_server", "trusted_dns", "connect", "ntp", "echo")),
    ]
    for said in cases:
        text = waited({"waited": said})
        assert text is not None, said
        zh = text.render("zh")
        # Chinese: numbers, addresses and "DNS" only; never a code or an English word.
        assert not re.search(r"[A-Za-z_]{2,}", zh.replace("DNS", "")), zh
        assert "{" not in zh and "{" not in text.render("en")
    nothing = waited({"waited": cases[0]})
    assert nothing is not None and "nothing on this network had answered yet" in nothing.render("en")
    assert "当时这个网络上还没有任何应答" in nothing.render("zh")


def test_records_of_another_shape_say_nothing() -> None:
    for record in ({}, {"waited": None}, {"waited": "1.1"}, {"waited": {"s": "x"}}, "x", None):
        assert waited(record) is None
    assert waits_line([{}, {"waited": None}]) == []


def test_the_tcp_evidence_and_the_text_for_it_say_how_long_and_why() -> None:
    probe = {"host": "login.example", "port": 443, "address": "10.0.0.1", "ok": False,
             "ms": 1100.0, "failure": "tcp_timeout", "attempts": 3, "waited": FAST, "https": True}
    evidence = {"probes": [probe], "addresses": [], "ipv6": [], "timeout_s": 3.0}
    lines = [i for i in show_tcp(evidence) if isinstance(i, Line)]
    found = [i.value.render(lang) for i in lines for lang in ("en", "zh")
             if i.label.render("en") == "Waited for an answer"]
    assert found == ["waited 1.1 s: the path answers in 6 ms (a connection to 10.0.0.5:80)",
                     "等待了 1.1 秒：该网络路径的往返时间为 6 毫秒（到 10.0.0.5:80 的连接）"]
    tcp = CheckResult(id="tcp", title=t("t", "t"), group="network", status=Status.FAIL,
                      summary=t("s", "s"), cause="tcp_blocked", evidence=evidence,
                      problems=(Problem("tcp_timeout", "login.example", 443, "10.0.0.1"),))
    text = it_text(t("x", "x"), (), Facts([tcp]), code="tcp_blocked", started_at="",
                   endpoints=[], domain_list=None)
    assert "get no answer; waited 1.1 s: the path answers in 6 ms" in text.render("en")
    assert "没有任何应答；等待了 1.1 秒：该网络路径的往返时间为 6 毫秒" in text.render("zh")
