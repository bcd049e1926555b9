"""Odd hosts files as the system resolver (glibc) and the hosts check meet them."""

from __future__ import annotations

import json
import os

from tests.lab import Lab
from tests.lab.services import result_of

LOGIN = "login.wecom.lab.test"
CONFIG = {"deadline_s": 6, "system": {"hosts_file": ""},  # "": the client's real /etc/hosts
          "endpoints": [{"host": LOGIN, "ports": [443], "product": "wecom", "tls": False}]}


def _resolve(lab: Lab, *names: str) -> dict[str, str]:
    code = (
        "import json, socket\nout = {}\n"
        f"for name in {list(names)!r}:\n"
        "    try:\n"
        "        out[name] = socket.getaddrinfo(name, 443, socket.AF_INET)[0][4][0]\n"
        "    except socket.gaierror:\n"
        "        out[name] = 'unresolved'\n"
        "print(json.dumps(out))\n"
    )
    proc = lab.client_python(code)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, str] = json.loads(proc.stdout)
    return result


def test_nul_byte_line_is_honoured_by_glibc_and_seen_by_the_check(lab: Lab) -> None:
    real = lab.add_host(LOGIN, ports=[443])
    lab.set_hosts_file(f"127.0.0.1 localhost\n0.0.0.0 {LOGIN}\0junk.lab.test\n"
                       "10.201.2.77 after.lab.test\n")
    # glibc reads the line up to the NUL: the name maps to 0.0.0.0, the rest is ignored,
    # and the next line is read as usual.
    assert _resolve(lab, LOGIN, "junk.lab.test", "after.lab.test") == {
        LOGIN: "0.0.0.0", "junk.lab.test": "unresolved", "after.lab.test": "10.201.2.77"}
    report, _rc, stderr = lab.check_json(CONFIG, "--only", "hosts")
    hosts = result_of(report, "hosts")
    assert (hosts["status"], hosts["cause"]) == ("fail", "hosts_override"), stderr
    assert [m["names"] for m in hosts["evidence"]["mappings"]] == [[LOGIN]]
    assert hosts["evidence"]["dns"][LOGIN]["addresses"] == [real]  # DNS says otherwise


def test_fifo_hosts_file_does_not_hang_the_check(lab: Lab) -> None:
    fifo = lab.tmp / "hosts.fifo"
    os.mkfifo(fifo)  # nobody writes: opening it the plain way waits forever
    report, rc, stderr = lab.check_json({**CONFIG, "system": {"hosts_file": str(fifo)}},
                                        "--only", "hosts")
    hosts = result_of(report, "hosts")
    # Refused at once, not abandoned at the deadline (which would say "timed out").
    assert hosts["status"] == "error" and hosts["evidence"]["failure"] == "hosts_not_regular"
    assert rc == 0, stderr
