"""`wxdoctor watch` in the network lab: real connects, a real gateway, real cuts.

Each scenario runs its own lab and its own `watch --json` process in the client
namespace; the scenarios of one test run side by side (a watch mostly waits), and
the faults are applied on one shared clock while they run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checks.engine import codes
from tests.lab import Lab
from tests.lab import faults as lab_faults
from tests.lab.topology import REPO_ROOT, ROUTER_CLIENT_IP

LOGIN, API, OTHER = "login.wecom.lab.test", "qyapi.wecom.lab.test", "www.other.lab.test"
WATCH_S, INTERVAL_S = 26, 1
CUT_AT, RESTORE_AT = 8.0, 18.0  # seconds after the watch process started


def watch_config(lab: Lab) -> dict[str, Any]:
    for host in (LOGIN, API):
        lab.add_host(host, ports=[443])
    lab.add_host(OTHER, ports=[80])
    return {
        "endpoints": [{"host": LOGIN, "ports": [443], "product": "wecom"},
                      {"host": API, "ports": [443], "product": "wecom"}],
        "watch": {"control": [f"{OTHER}:80"]},
        "captive": {"probes": []},
    }


@dataclass
class Run:
    lab: Lab
    proc: subprocess.Popen[bytes]
    actions: list[tuple[float, Callable[[], None]]] = field(default_factory=list)
    report: dict[str, Any] | None = None
    stderr: str = ""


def start_watch(lab: Lab, config: dict[str, Any], *extra: str, interval: float = INTERVAL_S
                ) -> Run:
    path = lab.write_config(config)
    argv = [sys.executable, "-m", "app", "watch", "--json", "--seconds", str(WATCH_S),
            "--interval", f"{interval:g}", "--config", str(path), "--lang", "en", *extra]
    proc = lab.client.popen(argv, env=lab.doctor_env(), cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return Run(lab, proc)


def play(runs: list[Run]) -> None:
    """Apply every run's faults at their times, then collect the reports."""
    began = time.monotonic()
    pending = sorted(((at, i, fn) for i, r in enumerate(runs) for at, fn in r.actions),
                     key=lambda item: (item[0], item[1]))
    for at, _, action in pending:
        time.sleep(max(0.0, began + at - time.monotonic()))
        action()
    for run in runs:
        out, err = run.proc.communicate(timeout=WATCH_S + 30)
        run.stderr = err.decode(errors="replace")
        try:
            run.report = json.loads(out)
        except ValueError:
            raise AssertionError(f"no JSON (rc={run.proc.returncode}):\n{run.stderr[-3000:]}"
                                 ) from None


def outages(run: Run) -> list[dict[str, Any]]:
    assert run.report is not None
    return list(run.report["watch"]["outages"])


def test_a_cut_path_a_healthy_path_and_cut_servers(lab_factory: Callable[[], Lab]) -> None:
    healthy, cut, servers = lab_factory(), lab_factory(), lab_factory()
    runs = [start_watch(lab, watch_config(lab), "--no-history")
            for lab in (healthy, cut, servers)]
    # The router drops everything for 10 s, itself included, then recovers.
    runs[1].actions = [(CUT_AT, cut.blackhole), (RESTORE_AT, cut.clear_faults)]
    # Only the servers' addresses are dropped; the router and the other site answer.
    addresses = [servers.hosts[h].addr for h in (LOGIN, API)]
    runs[2].actions = [(CUT_AT, lambda: [servers.drop(a) for a in addresses]),
                       (RESTORE_AT, servers.clear_faults)]
    play(runs)

    healthy_report = runs[0].report
    assert healthy_report is not None
    assert outages(runs[0]) == [], healthy_report["summary"]
    assert healthy_report["status"] == "ok" and runs[0].proc.returncode == 0
    assert healthy_report["diagnosis"]["primary"] == codes.HEALTHY
    assert healthy_report["watch"]["samples"] >= WATCH_S - 2
    gateway = healthy_report["watch"]["stats"]["gateway"]
    assert gateway["address"] == ROUTER_CLIENT_IP and gateway["loss_pct"] == 0

    [local] = outages(runs[1])
    assert abs(local["duration_s"] - (RESTORE_AT - CUT_AT)) <= 2.0, local
    assert local["attribution"] == "gateway", local
    assert runs[1].report is not None and runs[1].proc.returncode == 2
    assert runs[1].report["diagnosis"]["primary"] == codes.UNSTABLE_LOCAL_LINK
    assert "the gateway stopped answering too" in runs[1].report["summary"]["lines"][0]

    [remote] = outages(runs[2])
    assert abs(remote["duration_s"] - (RESTORE_AT - CUT_AT)) <= 2.0, remote
    assert remote["attribution"] == "servers", remote
    assert remote["during"]["gateway_up"] == remote["samples"]
    assert runs[2].report is not None
    assert runs[2].report["diagnosis"]["primary"] == codes.SERVERS_INTERMITTENT
    assert "only Tencent's servers stopped answering; the gateway and other sites stayed fine" \
        in runs[2].report["summary"]["lines"][0]


def test_the_route_vanishing_a_vpn_taking_it_and_slow_dns(lab_factory: Callable[[], Lab]
                                                          ) -> None:
    from tests.lab.tunnels import add_vpn

    gone, vpn, slow = lab_factory(), lab_factory(), lab_factory()
    runs = [start_watch(lab, watch_config(lab), "--no-history") for lab in (gone, vpn)]
    # glibc's stock resolver options, so a slow answer is waited for (tests/lab/faults.py).
    slow_config = watch_config(slow)
    slow.client.set_resolvers([slow.dns_ip], options="")
    runs.append(start_watch(slow, slow_config, "--no-history", interval=5))
    runs[2].actions = [(CUT_AT, lambda: slow.dns.delay(LOGIN, 2.5)),
                       (RESTORE_AT, lambda: slow.dns.answer(LOGIN))]
    runs[0].actions = [(CUT_AT, gone.no_default_route), (RESTORE_AT, gone.restore_default_route)]
    tunnel: list[Any] = []

    def vpn_off() -> None:
        for proc in tunnel[0].procs:
            proc.kill()
        vpn.client.run(["ip", "link", "del", tunnel[0].device], check=False)
        vpn.restore_default_route()

    # A VPN whose far end is gone takes the default route and swallows every packet.
    runs[1].actions = [(CUT_AT, lambda: tunnel.append(add_vpn(vpn, forward=False))),
                       (RESTORE_AT, vpn_off)]
    play(runs)

    [link] = outages(runs[0])
    assert link["attribution"] == "link" and abs(link["duration_s"] - 10) <= 2.0, link
    assert runs[0].report is not None
    kinds = [e["kind"] for e in runs[0].report["watch"]["events"]]
    assert kinds[:2] == ["route_lost", "route_back"], kinds

    [swallowed] = outages(runs[1])
    assert swallowed["attribution"] == "route_change", swallowed
    assert runs[1].report is not None
    assert runs[1].report["diagnosis"]["primary"] == codes.VPN_INTERFERENCE
    assert any(line.startswith("The default route changed (VPN connected at")
               for line in runs[1].report["summary"]["lines"]), runs[1].report["summary"]

    # Names are asked in turn every 5 s: the one due while its answers took 2.5 s was slow.
    assert runs[2].report is not None and outages(runs[2]) == []
    [episode] = runs[2].report["watch"]["slow_dns"]
    assert episode["name"] == LOGIN and 2400 <= episode["worst_ms"] <= 3100, episode
    assert runs[2].report["diagnosis"]["primary"] == codes.DNS_SLOW
    assert any(line.startswith("DNS answers slowed above 2 s at times")
               for line in runs[2].report["summary"]["lines"])


def test_watches_are_stored_and_rendered_from_the_history(lab: Lab, tmp_path: Any) -> None:
    config = watch_config(lab)
    path = lab.write_config(config)
    env = {**lab.doctor_env(), "WXDOCTOR_DATA_DIR": str(tmp_path / "data")}

    def wxdoctor(*args: str) -> subprocess.CompletedProcess[str]:
        return lab.client.run([sys.executable, "-m", "app", *args], timeout=60, check=False,
                              cwd=REPO_ROOT, env=env)

    done = wxdoctor("watch", "--seconds", "3", "--interval", "1", "--config", str(path),
                    "--lang", "zh")
    assert done.returncode == 0, done.stderr
    assert "服务器 2/2" in done.stdout and "没有断线" in done.stdout
    listed = json.loads(wxdoctor("history", "--json").stdout)
    [stored] = listed["watches"]
    assert stored["id"] == "w1" and stored["outages"] == 0 and stored["status"] == "ok"
    assert " w1 " in wxdoctor("history").stdout
    pdf = tmp_path / "watch.pdf"
    rendered = wxdoctor("report", "w1", "--pdf", str(pdf))
    assert rendered.returncode == 0, rendered.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_windows_watch_process_streams_samples_and_the_report(lab: Lab) -> None:
    """The window samples in a child process (app/child/watch_process.py): in the lab, a path
    cut for 3 s comes back as live progress and a report with one outage."""
    path = lab.write_config(watch_config(lab))
    code = f"""
import json, sys, threading, time
from app.child.watch_process import ProcessWatch
from checks.engine.config import load_config
from checks.watch.plan import Plan
seen = []
watch = ProcessWatch(load_config({str(path)!r}), Plan(9, 1.0), lang="zh",
                     on_progress=lambda p: seen.append((p.sample.index, p.down, p.outages)))
report = watch.run()
print(json.dumps({{"seen": seen, "outages": report["watch"]["outages"]}}))
"""
    argv = [sys.executable, "-c", code]
    proc = lab.client.popen(argv, env=lab.doctor_env(), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(3.5)
    lab.blackhole()
    time.sleep(3.0)
    lab.clear_faults()
    out, err = proc.communicate(timeout=40)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    result = json.loads(out)
    indexes = [index for index, _, _ in result["seen"]]
    assert indexes == sorted(set(indexes)) and indexes[0] == 0 and len(indexes) >= 8, indexes
    assert any(down for _, down, _ in result["seen"])
    [outage] = result["outages"]
    assert outage["attribution"] == "gateway" and 1.5 <= outage["duration_s"] <= 4.5


def test_check_and_watch_agree_on_a_network_with_no_internet(lab: Lab) -> None:
    """The router answers, nothing beyond it does (its forwarding drops every packet): the
    check says the internet is out of reach, and the watch blames the line beyond the
    router, never "only Tencent's servers"."""
    config = {**watch_config(lab), "ntp": {"servers": ["10.201.2.123"]},
              "dns": {"trusted_resolvers": ["10.201.2.60"], "timeout_s": 1.0},
              "tcp": {"timeout_s": 1.0}, "tls": {"timeout_s": 1.0}}
    lab.router.iptables("-I", "FORWARD", "-j", "DROP")
    lab.router.iptables("-I", "FORWARD", "-j", "DROP", v6=True)
    report, _rc, stderr = lab.check_json(config)
    assert report["diagnosis"]["primary"] == codes.OFFLINE, stderr
    head = report["headline"]["i18n"]["en"]
    assert "nothing beyond it answers" in head["summary"] and ROUTER_CLIENT_IP in head["summary"]
    path = lab.write_config(config)
    done = lab.client.run([sys.executable, "-m", "app", "watch", "--json", "--seconds", "6",
                           "--interval", "1", "--config", str(path), "--lang", "en",
                           "--no-history"], timeout=60, check=False, cwd=REPO_ROOT,
                          env=lab.doctor_env())
    watch = json.loads(done.stdout)
    attributions = {o["attribution"] for o in watch["watch"]["outages"]}
    assert attributions == {"uplink"}, watch["watch"]["outages"]
    text = " ".join(watch["summary"]["lines"])
    assert "only Tencent's servers" not in text and "other sites did not either" in text, text


def test_check_and_watch_agree_when_the_dns_server_says_no_name_exists(lab: Lab) -> None:
    """Only DNS leaves the network, and its DNS server, cut off too, answers that no name
    exists; the trusted resolver and the time server (asked by address) are silent. The
    check says the internet is out of reach, quoting what the DNS server said, and the
    watch blames the line beyond the router."""
    config = {**watch_config(lab), "ntp": {"servers": ["10.201.2.123"]},
              "dns": {"trusted_resolvers": ["10.201.2.60"], "timeout_s": 1.0},
              "tcp": {"timeout_s": 1.0}, "tls": {"timeout_s": 1.0}}
    lab.dns.forget_all()
    lab_faults.only_dns_leaves(lab)
    report, _rc, stderr = lab.check_json(config)
    assert report["diagnosis"]["primary"] == codes.OFFLINE, stderr
    head = report["headline"]["i18n"]["en"]
    assert "does not reach the internet" in head["summary"], head
    assert f"the DNS server {lab.dns_ip} says that Tencent's servers do not exist" in \
        head["summary"], head
    path = lab.write_config(config)
    done = lab.client.run([sys.executable, "-m", "app", "watch", "--json", "--seconds", "6",
                           "--interval", "1", "--config", str(path), "--lang", "en",
                           "--no-history"], timeout=60, check=False, cwd=REPO_ROOT,
                          env=lab.doctor_env())
    watch = json.loads(done.stdout)
    assert {o["attribution"] for o in watch["watch"]["outages"]} == {"uplink"}, watch["watch"]
    assert "other sites did not either" in " ".join(watch["summary"]["lines"])
