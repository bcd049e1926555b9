"""Tencent's own list of the servers WeCom needs, as an IT department saved it.

WeCom publishes the domains and addresses its client uses through the admin API
`/cgi-bin/security/get_server_domain_ip` (it needs the company's access token, so
the doctor never calls it; IT saves the response). The response, as documented
at https://developer.work.weixin.qq.com/document/path/100079:

    {"errcode": 0, "errmsg": "ok",
     "domain_list": [{"domain": "i.work.weixin.qq.com", "universal_domian": "work.weixin.qq.com",
                      "protocol": "TCP", "port": [443, 80], "is_necessary": 1,
                      "description": "..."}],
     "ip_list": [{"ip": "115.238.203.110", "protocol": "TCP", "port": [443, 80],
                  "is_necessary": 1, "description": "企业微信客户端HTTPDNS解析"}]}

`universal_domian` (Tencent's spelling) is the parent domain a firewall rule
should allow; it is reported, never probed. The file may also hold just the
`domain_list`/`ip_list` object. This module only reads and validates; the config
turns the entries into endpoints.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checks.shared.bounded_read import FileTooLarge, read_regular_file
from checks.shared.i18n import Text, t
from checks.shared.nesting import TooDeep, check_depth
from checks.shared.quoted import clipped, quoted

MAX_BYTES = 4 * 1024 * 1024  # the real list is a few kilobytes
KEYS = ("domain_list", "ip_list")
MAX_DEPTH = 16  # the answer nests four levels: object, list, entry, its ports
# What one list may make a run probe: every server costs DNS questions, a TCP connect per
# port, a TLS handshake and the latency samples, and every port a column of the server
# table. A real list is a few dozen servers on 443, 80 and 8080; a bigger one is cut
# (necessary servers first, in the file's order), and the report says so.
MAX_SERVERS = 100
MAX_PORTS = 8
# The clients try these first; a list's other ports come after them.
PREFERRED_PORTS = (443, 80, 8080)


class DomainListError(Exception):
    """The file is unreadable, not JSON, truncated or not shaped like the API's answer."""


@dataclass(frozen=True)
class Entry:
    host: str  # a domain, or an IP address for ip_list entries
    ports: tuple[int, ...]
    necessary: bool
    kind: str  # "domain" or "ip"
    protocol: str = "TCP"
    universal_domain: str = ""
    description: str = ""

    @property
    def tcp(self) -> bool:
        return "TCP" in self.protocol.upper() or not self.protocol.strip()

    @property
    def wildcard(self) -> bool:
        """`*.work.weixin.qq.com`: a firewall rule, not a name anything connects to."""
        return "*" in self.host

    @property
    def probed(self) -> bool:
        return self.tcp and not self.wildcard


@dataclass(frozen=True)
class Selection:
    """The part of a list a run probes, within MAX_SERVERS and MAX_PORTS."""

    entries: tuple[Entry, ...]  # with only the ports that are probed
    servers: int  # distinct servers the list asks to probe
    ports: int  # distinct ports it names for them
    probes: int  # server-port connects it asks for
    kept_ports: tuple[int, ...]

    @property
    def cut(self) -> dict[str, Any] | None:
        """The report's `domain_list.cut`, or None when all of the list is probed."""
        tested = len({e.host for e in self.entries})
        probes = len({(e.host, p) for e in self.entries for p in e.ports})
        if probes == self.probes:
            return None
        return {"servers": self.servers, "servers_tested": tested, "ports": self.ports,
                "ports_tested": list(self.kept_ports), "probes": self.probes,
                "probes_tested": probes, "max_servers": MAX_SERVERS, "max_ports": MAX_PORTS}


def select(entries: tuple[Entry, ...]) -> Selection:
    """The probed entries, necessary ones first, within the limits: the first MAX_PORTS
    distinct ports (443, 80 and 8080 before the others), then the first MAX_SERVERS
    servers that still have a port. A server listed twice counts once."""
    probed = [e for e in entries if e.probed]
    first = sorted(probed, key=lambda e: not e.necessary)  # stable: the file's order
    named = list(dict.fromkeys(p for e in first for p in e.ports))
    ordered = [p for p in PREFERRED_PORTS if p in named] + [
        p for p in named if p not in PREFERRED_PORTS]
    kept_ports = tuple(ordered[:MAX_PORTS])
    chosen: set[str] = set()
    for entry in first:
        if len(chosen) < MAX_SERVERS and any(p in kept_ports for p in entry.ports):
            chosen.add(entry.host)
    kept = [dataclasses.replace(e, ports=tuple(p for p in e.ports if p in kept_ports))
            for e in probed if e.host in chosen]
    asked: dict[str, set[int]] = {}
    for entry in probed:
        asked.setdefault(entry.host, set()).update(entry.ports)
    return Selection(tuple(e for e in kept if e.ports), len(asked), len(named),
                     sum(len(p) for p in asked.values()), kept_ports)


@dataclass(frozen=True)
class DomainList:
    path: str
    modified: str  # when the file was saved (ISO 8601, UTC): the list's date
    entries: tuple[Entry, ...]

    @functools.cached_property
    def selection(self) -> Selection:
        return select(self.entries)

    @property
    def tested(self) -> tuple[Entry, ...]:
        """What a run probes: the list within MAX_SERVERS and MAX_PORTS."""
        return self.selection.entries

    def info(self) -> dict[str, Any]:
        """What the report says about the list: where it came from, its date, its size."""
        domains = [e for e in self.tested if e.kind == "domain"]
        info = {
            "path": self.path,
            "modified": self.modified,
            "domains": len({e.host for e in domains}),
            "necessary": len({e.host for e in domains if e.necessary}),
            "addresses": len({e.host for e in self.tested if e.kind == "ip"}),
            # UDP entries cannot be tested with a TCP connect: listed, not probed.
            "not_tested": [e.host for e in self.entries if not e.tcp],
            # A wildcard is what a firewall should allow; nothing can resolve it.
            "wildcards": [e.host for e in self.entries if e.tcp and e.wildcard],
        }
        cut = self.selection.cut
        if cut is not None:
            info["cut"] = cut
        return info


CUT = t("Tencent's list asks for {probes} connections ({servers} servers, {ports} ports); "
        "only {tested} were tested: {servers_tested} servers (necessary ones first) on "
        "ports {kept}. A run tests at most {max_servers} servers and {max_ports} ports of "
        "a list, so that it keeps to its time limit.",
        "腾讯域名列表要求检测 {probes} 个连接（{servers} 个服务器，{ports} 个端口），"
        "只检测了其中 {tested} 个：{servers_tested} 个服务器（必要的优先）的 {kept} 端口。"
        "为了在时限内完成，每次最多检测列表中的 {max_servers} 个服务器和 {max_ports} 个端口。")


def cut_text(info: Any) -> Text | None:
    """The sentence saying the list was cut, from a report's `domain_list` (None when
    nothing was cut, or a saved report's `cut` is not what this version writes)."""
    cut = info.get("cut") if isinstance(info, dict) else None
    if not isinstance(cut, dict):
        return None
    keys = ("probes", "servers", "ports", "probes_tested", "servers_tested", "max_servers",
            "max_ports")
    values = {k: cut.get(k) for k in keys}
    kept = cut.get("ports_tested")
    if (any(isinstance(v, bool) or not isinstance(v, int) for v in values.values())
            or not isinstance(kept, list)
            or any(isinstance(p, bool) or not isinstance(p, int) for p in kept)):
        return None
    return CUT.with_params(probes=values["probes"], servers=values["servers"],
                           ports=values["ports"], tested=values["probes_tested"],
                           servers_tested=values["servers_tested"],
                           max_servers=values["max_servers"], max_ports=values["max_ports"],
                           kept=[str(p) for p in kept[:MAX_PORTS]])


def read_domain_list(path: str | os.PathLike[str]) -> DomainList:
    file = Path(path)
    try:  # a FIFO would block and a device never end: only a regular file is read
        raw = read_regular_file(file, MAX_BYTES)
        stamp = file.stat().st_mtime
    except FileTooLarge:
        raise DomainListError(f"{file}: larger than {MAX_BYTES // 1024 // 1024} MB; "
                              "not a saved get_server_domain_ip response") from None
    except OSError as exc:
        raise DomainListError(f"{file}: cannot read the file ({exc.strerror or exc})") from None
    data = _decode(file, raw)
    entries = parse(data, str(file))
    modified = datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")
    return DomainList(str(file), modified, entries)


def _decode(file: Path, raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainListError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise DomainListError(f"{file}: the file is empty")
    try:
        data = json.loads(text, parse_int=_bounded_int)
        check_depth(data, MAX_DEPTH)
        return data
    except _LongNumber as exc:
        raise DomainListError(f"{file}: a number of {exc.args[0]} digits; "
                              "not a saved get_server_domain_ip response") from None
    except TooDeep as exc:
        raise DomainListError(f"{file}: '{exc.path}' is nested more than {MAX_DEPTH} levels "
                              "deep; not a saved get_server_domain_ip response") from None
    except RecursionError:  # the parser itself recurses per level
        raise DomainListError(f"{file}: nested more than {MAX_DEPTH} levels deep; "
                              "not a saved get_server_domain_ip response") from None
    except json.JSONDecodeError as exc:
        end = text.rstrip()
        if exc.pos >= len(end) or exc.msg.startswith("Unterminated string"):
            # Cut off (a download or a copy that stopped): point at where it stops.
            line, column = end.count("\n") + 1, len(end) - end.rfind("\n")
            raise DomainListError(f"{file}: the JSON ends early at line {line}, column {column} "
                                  "(is the file truncated?)") from None
        raise DomainListError(f"{file}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}") from None


class _LongNumber(ValueError):
    """A number of more digits than any port or flag has (int() would refuse thousands)."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise _LongNumber(len(text.lstrip("-")))
    return int(text)


def valid_domain(name: str) -> bool:
    """A host name a client could look up (or a `*.` wildcard over one): labels of 1-63
    letters, digits, `-` or `_` (or a name IDNA can encode), at most 253 characters."""
    rest = name[2:] if name.startswith("*.") else name
    if not rest or len(rest) > 253:
        return False
    for label in rest.split("."):
        if not 0 < len(label) <= 63 or label[0] == "-" or label[-1] == "-":
            return False
        if label.isascii():
            if not all(c.isalnum() or c in "-_" for c in label):
                return False
        else:
            try:
                label.encode("idna")
            except UnicodeError:
                return False
    return True


def parse(data: Any, origin: str = "<domain list>") -> tuple[Entry, ...]:
    """Entries of a response (or its domain_list/ip_list object); errors name the item."""
    errcode = data.get("errcode", 0) if isinstance(data, dict) else 0
    if errcode not in (0, None):
        raise DomainListError(f"{origin}: the saved response is an error: errcode "
                              f"{clipped(str(errcode))} ({clipped(str(data.get('errmsg', '')))})")
    if not isinstance(data, dict) or not any(k in data for k in KEYS):
        raise DomainListError(
            f"{origin}: expected a JSON object with 'domain_list' and/or 'ip_list' "
            "(a saved get_server_domain_ip response)")
    entries: list[Entry] = []
    for key, kind, name_key in (("domain_list", "domain", "domain"), ("ip_list", "ip", "ip")):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise DomainListError(f"{origin}: '{key}' expected a list, got {_kind(items)}")
        for index, item in enumerate(items):
            entries.append(_entry(item, kind, name_key, f"{origin}: {key}[{index}]"))
    return tuple(entries)


def _entry(item: Any, kind: str, name_key: str, where: str) -> Entry:
    if not isinstance(item, dict):
        raise DomainListError(f"{where}: expected an object, got {_kind(item)}")
    host = item.get(name_key)
    if not isinstance(host, str):
        raise DomainListError(f"{where}.{name_key}: expected a {kind} name, got "
                              f"{quoted(host)}")
    name = host.strip().rstrip(".").lower()
    if kind == "ip" and not is_address(name):
        raise DomainListError(f"{where}.{name_key}: expected an IP address, got "
                              f"{quoted(host)}")
    if kind == "domain" and not (is_address(name) or valid_domain(name)):
        raise DomainListError(f"{where}.{name_key}: expected a domain name, got "
                              f"{quoted(host)}")
    where = f"{where} ({name})"  # the position, and the entry by its name
    ports = item.get("port")
    if (not isinstance(ports, list) or not ports
            or any(isinstance(p, bool) or not isinstance(p, int) or not 0 < p < 65536
                   for p in ports)):
        raise DomainListError(f"{where}: 'port' expected a list of port numbers, got "
                              f"{quoted(ports)}")
    necessary = item.get("is_necessary", 1)
    if necessary not in (0, 1) or isinstance(necessary, bool):
        raise DomainListError(f"{where}: 'is_necessary' expected 1 or 0, got "
                              f"{quoted(necessary)}")
    texts = {k: item.get(k) or "" for k in ("protocol", "universal_domian", "description")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise DomainListError(f"{where}: '{key}' expected a string, got {quoted(value)}")
    return Entry(
        host=name, ports=tuple(dict.fromkeys(ports)),
        necessary=necessary == 1, kind=kind, protocol=texts["protocol"] or "TCP",
        universal_domain=texts["universal_domian"].strip(), description=texts["description"],
    )


def is_address(text: str) -> bool:
    """An IP address (v4 or v6) rather than a name."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__)
