"""The DNS fix for real, in the lab: the client's /etc/resolv.conf (bind-mounted from
/etc/netns/<ns>/resolv.conf) points at a DNS server that is dead, the check names it
and offers the fix that does what its advice says, `wxdoctor fix` (as root: the step
runs directly, through the code the elevated helper runs) rewrites the file, the
re-check finds names again, and `wxdoctor undo` puts the file back byte for byte.

The public services are not reachable from the lab (nothing leaves it): the router
forwards DNS sent to AliDNS's address to the lab's own DNS server, so the re-check
shows what the switch does. Crafted journals against the real helper change nothing.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from checks.fixes import Journal, Plan
from checks.fixes._files import sha256_bytes
from checks.fixes.actions import Action
from checks.shared.i18n import t
from tests.lab import Lab
from tests.lab.topology import NETNS_ETC, REPO_ROOT
from tests.lab.world import build_world

ROUTER_IP = "10.201.1.1"  # the client's gateway, where no DNS server listens
ALIDNS = "223.5.5.5"


def resolv_path(lab: Lab) -> Any:
    return NETNS_ETC / lab.client.name / "resolv.conf"


def alidns_answers_from_the_lab(lab: Lab) -> None:
    """DNS to 223.5.5.5 goes to the lab's DNS server (the router rewrites it, both ways)."""
    for proto in ("udp", "tcp"):
        lab.router.iptables("-t", "nat", "-A", "PREROUTING", "-i", "cli0", "-d", ALIDNS, "-p",
                            proto, "--dport", "53", "-j", "DNAT", "--to-destination", lab.dns_ip)


def test_the_routers_dead_dns_is_switched_to_a_public_service_and_undone_byte_for_byte(
        lab: Lab) -> None:
    world = build_world(lab)
    lab.client.set_resolvers([ROUTER_IP], options="timeout:1 attempts:1")
    original = resolv_path(lab).read_bytes()
    alidns_answers_from_the_lab(lab)

    report, rc, stderr = lab.check_json(world.config)
    headline = report["headline"]
    assert headline["cause"] == "dns_failure", (headline, stderr)
    assert headline["fixes"] == ["set_dns_servers"]
    assert headline["i18n"]["en"]["summary"].startswith("Your router (10.201.1.1) does not answer")
    assert "Press Fix" in headline["i18n"]["en"]["advice"]
    assert "223.5.5.5" in headline["i18n"]["en"]["advice"]

    preview = lab.run_wxdoctor("fix", "set_dns_servers", "--dry-run", "--lang", "en",
                               config=world.config)
    assert preview.returncode == 0, preview.stderr
    assert "> Chosen: AliDNS: 223.5.5.5, 223.6.6.6 (recommended) (--choice alidns)" in preview.stdout
    assert "from 10.201.1.1 to AliDNS (223.5.5.5, 223.6.6.6)" in preview.stdout
    assert resolv_path(lab).read_bytes() == original  # a preview changes nothing

    applied = lab.run_wxdoctor("fix", "set_dns_servers", "--yes", "--lang", "en",
                               config=world.config, timeout=60)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    written = resolv_path(lab).read_bytes()
    assert written == (b"nameserver 223.5.5.5 # [wxdoctor]\n"
                       b"nameserver 223.6.6.6 # [wxdoctor]\n"
                       b"# [wxdoctor] nameserver 10.201.1.1\n"
                       b"options timeout:1 attempts:1\n")
    checks_again = applied.stdout.split("Checks again:")[1]
    dns_line = next(line for line in checks_again.splitlines() if line.strip().startswith("dns "))
    assert "Problem -> OK" in " ".join(dns_line.split()), applied.stdout

    undone = lab.client.run([sys.executable, "-m", "app", "undo"], timeout=60, check=False,
                            cwd=REPO_ROOT, env=lab.doctor_env())
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert resolv_path(lab).read_bytes() == original
    assert "restored byte for byte" in undone.stdout


def test_a_local_networks_dead_server_offers_no_first_button(lab: Lab) -> None:
    """10.201.2.53 is a server on the local network, not the router: ask IT (or, at home,
    restart the router); the button stays off."""
    world = build_world(lab)
    lab.stop_dns()
    report, _rc, _err = lab.check_json(world.config)
    headline = report["headline"]
    assert headline["cause"] == "dns_failure"
    assert headline["fixes"] == [] and headline["ask_it"] is True


# ---- crafted journals against the real helper ----------------------------------------------

def helper(lab: Lab, journal: Journal, entry: Any) -> Any:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return lab.client.run([sys.executable, "-m", "app", "fix-helper", "--journal",
                           str(journal.path(entry.id)), "--fix", "set_dns_servers", "--step", "0",
                           "--user", str(os.getuid())], timeout=60, check=False, cwd=REPO_ROOT,
                          env=env)


def entry_with(journal: Journal, data: dict[str, Any], paths: list[str] | None = None,
               kind: str = "edit_file") -> Any:
    action = Action(kind, t("x", "x"), paths=["/etc/resolv.conf"] if paths is None else paths,
                    needs_admin=True, data=data)
    entry = journal.begin(Plan("set_dns_servers", t("x", "x"), actions=[action]))
    entry.steps[0].state = "running"
    journal.save(entry)
    return entry


def test_the_helper_writes_only_servers_of_its_own_list(lab: Lab) -> None:
    lab.client.set_resolvers([ROUTER_IP])
    original = resolv_path(lab).read_bytes()
    journal = Journal(lab.tmp / "data" / "journal")
    sha = sha256_bytes(original)
    crafted = [
        ({"method": "resolv_conf", "choice": "evil", "sha256_before": sha}, None, "edit_file"),
        ({"method": "resolv_conf", "choice": "6.6.6.6", "sha256_before": sha}, None, "edit_file"),
        ({"method": "resolv_conf", "choice": "automatic", "sha256_before": sha}, None, "edit_file"),
        ({"method": "resolv_conf", "choice": "alidns", "sha256_before": sha},
         ["/etc/hosts"], "edit_file"),
        ({"method": "nmcli", "choice": "alidns", "uuid": "7e2c1a3b-5f0d-4c1e-9a52-3d8f4b6c0a11",
          "device": "eth0"}, [], "run"),
        ({"method": "netsh", "choice": "alidns", "guid": "{e9ce66a4-c563-4c8b-b099-1206c25056ce}",
          "backup_name": "0123456789abcdef"}, [], "run"),
    ]
    for data, paths, kind in crafted:
        result = helper(lab, journal, entry_with(journal, data, paths, kind))
        assert result.returncode in (1, 64), (data, result.stdout, result.stderr)
        assert resolv_path(lab).read_bytes() == original, data
    # A genuine entry, with servers of its own added to the journal: the helper writes
    # the choice's servers from the fix's list, not the journal's.
    genuine = {"method": "resolv_conf", "choice": "dnspod", "sha256_before": sha,
               "servers": ["6.6.6.6"], "previous": ["6.6.6.6"]}
    result = helper(lab, journal, entry_with(journal, genuine))
    assert result.returncode == 0, result.stdout + result.stderr
    written = resolv_path(lab).read_bytes()
    assert b"nameserver 119.29.29.29 # [wxdoctor]" in written and b"6.6.6.6" not in written
