"""Every sentence of the headline is true of the evidence it came from.

Each recorded lab report (real runs, tests/report/lab_reports) is judged again and its
headline rendered in both languages. Then, independently of how the sayings were built:

- every address and server name a sentence names is in the report's evidence or its
  server list (or is one of the public DNS services the advice suggests);
- every number it states (an offset, a packet size, lost exchanges, time servers
  agreeing, a hosts-file line) is the number the evidence holds;
- every claim it makes about what answered (other connections work, public DNS gives
  addresses, time servers or other websites answer, nothing beyond the gateway answers,
  the clock is right, a proxy does not work) holds in the evidence;
- no failure, cause, check or fix code reaches the words.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checks.diagnosis.offline_rule import trusted_say_no_such_name
from checks.engine import check_ids, codes, fix_ids
from checks.report.rejudge import rejudged

REPORTS = sorted((Path(__file__).resolve().parent / "lab_reports").glob("*.json"))
# Addresses the advice may suggest although nothing measured them.
SUGGESTED = {"223.5.5.5", "119.29.29.29"}
ADVICE_DOMAINS = {"qq.com", "weixin.qq.com", "work.weixin.qq.com"}
CODES = {c for c in [*codes.FAILURES, *codes.CAUSES,
                     *(v for k, v in vars(check_ids).items() if k.isupper()),
                     *(v for k, v in vars(fix_ids).items() if k.isupper())] if "_" in c}


def _report(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return rejudged(report, report.get("lang", "en"))


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next((c for c in report["checks"] if c["id"] == check_id), {})


def _evidence_text(report: dict[str, Any]) -> str:
    return json.dumps([report["checks"], report.get("endpoints")], ensure_ascii=False)


def _sentences(report: dict[str, Any], lang: str) -> str:
    head = report["headline"]["i18n"][lang]
    return "\n".join([head["summary"], head["advice"], *head["proof"], *head["also"],
                      head["for_it"]])


def _addresses(text: str) -> set[str]:
    found = set()
    for token in re.findall(r"[0-9A-Fa-f:.]{3,}", text):
        token = token.strip(".:")
        try:
            found.add(str(ipaddress.ip_address(token)))
        except ValueError:
            continue
    return found


def _known_addresses(report: dict[str, Any]) -> set[str]:
    out = set()
    for token in re.findall(r"[0-9A-Fa-f:.]{3,}", _evidence_text(report)):
        try:
            out.add(str(ipaddress.ip_address(token.strip(".:"))))
        except ValueError:
            continue
    return out


# ---- claims, each with what the evidence must show for it -----------------------------------

def _tcp_ok(report: dict[str, Any]) -> bool:
    return any(p.get("ok") for p in _check(report, "tcp").get("evidence", {}).get("probes", []))


def _trusted_addresses(report: dict[str, Any]) -> bool:
    return any(s.get("addresses") for h in _check(report, "dns_pollution").get("evidence", {})
               .get("hosts", []) for s in h.get("trusted", []))


def _time_servers(report: dict[str, Any]) -> int:
    return int(_check(report, "clock").get("evidence", {}).get("answered") or 0)


def _control_ok(report: dict[str, Any]) -> bool:
    return any(p.get("status") == p.get("expected_status") and not p.get("failure")
               for p in _check(report, "captive").get("evidence", {}).get("probes", []))


def _dns_turned_away(report: dict[str, Any]) -> bool:
    """Some DNS question got 'unreachable' back: a refusal from the network, not silence."""
    for answer in _check(report, "dns").get("evidence", {}).get("answers", []):
        if answer.get("error") == "dns_unreachable":
            return True
        for record in ("A", "AAAA"):
            if ((answer.get("direct") or {}).get(record) or {}).get("error") == "dns_unreachable":
                return True
    return False


CLAIMS: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
    (r"Other connections work", _tcp_ok),
    (r"do give addresses", _trusted_addresses),
    (r"turns DNS questions away", _dns_turned_away),
    (r"says that Tencent's servers do not exist",
     lambda r: bool(_check(r, "dns").get("evidence", {}).get("answers")) and all(
         a.get("error") in ("dns_nxdomain", "dns_nxdomain_or_nodata")
         for a in _check(r, "dns")["evidence"]["answers"])),
    (r"the trusted ones \([^)]*\) too, says that Tencent's servers do not exist",
     lambda r: trusted_say_no_such_name(_check(r, "dns_pollution").get("evidence", {}))),
    (r"time servers work normally|, time servers work", lambda r: _time_servers(r) > 0),
    (r"other websites[^.]*work normally", _control_ok),
    (r"nothing beyond it answers", lambda r: not _tcp_ok(r) and not _trusted_addresses(r)
     and _time_servers(r) == 0),
    (r"this computer's clock is right", lambda r: _check(r, "clock").get("status") == "ok"),
    (r"all \d+ of Tencent's servers answered", lambda r: _check(r, "tcp").get("status") == "ok"),
    (r"their certificates are genuine", lambda r: _check(r, "tls").get("status") == "ok"),
    (r"does not work: ", lambda r: any(not (p.get("test") or {}).get("ok") for p in
                                      _check(r, "proxy").get("evidence", {}).get("proxies", []))),
]


def _numbers_hold(report: dict[str, Any], text: str) -> list[str]:
    wrong = []
    if m := re.search(r"clock is ([\d.]+) (years|days|hours|minutes|seconds) (behind|ahead)"
                      r"(?: \((\d+|one) time servers? (?:agree|says so)\))?", text):
        offset = float(_check(report, "clock")["evidence"]["offset_s"])
        unit = {"years": 365.25 * 86400, "days": 86400, "hours": 3600, "minutes": 60,
                "seconds": 1}[m.group(2)]
        if abs(abs(offset) / unit - float(m.group(1))) > 0.1 * float(m.group(1)) + 0.05:
            wrong.append(f"offset {m.group(0)} vs {offset}")
        if (offset > 0) != (m.group(3) == "behind"):
            wrong.append(f"direction {m.group(0)} vs {offset}")
        said = {"one": 1, None: 0}.get(m.group(4), int(m.group(4) or 0))
        if said != _time_servers(report):
            wrong.append(f"servers {m.group(0)}")
    m = re.search(r"passes at most (\d+) bytes", text)
    if m and int(m.group(1)) != _check(report, "mtu")["evidence"].get("path_mtu"):
        wrong.append(m.group(0))
    if m := re.search(r"(\d+) of (\d+) test exchanges lost", text):
        loss = _check(report, "latency")["evidence"]["loss"]
        if (int(m.group(1)), int(m.group(2))) != (loss["lost"], loss["sent"]):
            wrong.append(m.group(0))
    if m := re.search(r"Line (\d+) of the hosts file", text):
        lines = {x.get("line_no") for x in _check(report, "hosts")["evidence"].get("mappings", [])}
        if int(m.group(1)) not in lines:
            wrong.append(m.group(0))
    return wrong


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_every_sentence_is_true_of_its_evidence(path: Path) -> None:
    report = _report(path)
    known, hosts = _known_addresses(report), _evidence_text(report)
    for lang in ("en", "zh"):
        text = _sentences(report, lang)
        invented = _addresses(text) - known - SUGGESTED
        assert not invented, (lang, invented, text)
        for name in re.findall(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b", text):
            if name.endswith((".py", ".txt")) or name in ADVICE_DOMAINS:
                continue
            assert name in hosts, (lang, name, text)
        leaked = [c for c in CODES if re.search(rf"(?<![\w.-]){re.escape(c)}(?![\w.-])", text)]
        assert not leaked, (lang, leaked, text)
    english = _sentences(report, "en")
    for pattern, holds in CLAIMS:
        if re.search(pattern, english):
            assert holds(report), (pattern, english)
    assert _numbers_hold(report, english) == []


def test_the_claims_are_checked_against_evidence_that_denies_them() -> None:
    """The contract is not vacuous: a report whose evidence is changed under its words fails."""
    report = _report(next(p for p in REPORTS if p.stem == "drop_443"))
    english = _sentences(report, "en")
    assert re.search(r"Other connections work", english)
    for probe in _check(report, "tcp")["evidence"]["probes"]:
        probe["ok"] = False
    assert not _tcp_ok(report)
    clock = _report(next(p for p in REPORTS if p.stem == "clock_off"))
    _check(clock, "clock")["evidence"]["offset_s"] *= -1
    assert _numbers_hold(clock, _sentences(clock, "en"))
