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

import ipaddress
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checks.shared.bounded_read import FileTooLarge, read_regular_file

MAX_BYTES = 4 * 1024 * 1024  # the real list is a few kilobytes
KEYS = ("domain_list", "ip_list")


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
class DomainList:
    path: str
    modified: str  # when the file was saved (ISO 8601, UTC): the list's date
    entries: tuple[Entry, ...]

    @property
    def tested(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.probed)

    def info(self) -> dict[str, Any]:
        """What the report says about the list: where it came from, its date, its size."""
        domains = [e for e in self.tested if e.kind == "domain"]
        return {
            "path": self.path,
            "modified": self.modified,
            "domains": len(domains),
            "necessary": sum(1 for e in domains if e.necessary),
            "addresses": sum(1 for e in self.tested if e.kind == "ip"),
            # UDP entries cannot be tested with a TCP connect: listed, not probed.
            "not_tested": [e.host for e in self.entries if not e.tcp],
            # A wildcard is what a firewall should allow; nothing can resolve it.
            "wildcards": [e.host for e in self.entries if e.tcp and e.wildcard],
        }


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
        return json.loads(text)
    except json.JSONDecodeError as exc:
        end = text.rstrip()
        if exc.pos >= len(end) or exc.msg.startswith("Unterminated string"):
            # Cut off (a download or a copy that stopped): point at where it stops.
            line, column = end.count("\n") + 1, len(end) - end.rfind("\n")
            raise DomainListError(f"{file}: the JSON ends early at line {line}, column {column} "
                                  "(is the file truncated?)") from None
        raise DomainListError(f"{file}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}") from None


def parse(data: Any, origin: str = "<domain list>") -> tuple[Entry, ...]:
    """Entries of a response (or its domain_list/ip_list object); errors name the item."""
    errcode = data.get("errcode", 0) if isinstance(data, dict) else 0
    if errcode not in (0, None):
        raise DomainListError(f"{origin}: the saved response is an error: errcode {errcode} "
                              f"({data.get('errmsg', '')})")
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
    if not isinstance(host, str) or not host.strip() or any(c.isspace() for c in host.strip()):
        raise DomainListError(f"{where}.{name_key}: expected a {kind} name, got {host!r}")
    if kind == "ip" and not is_address(host.strip()):
        raise DomainListError(f"{where}.{name_key}: expected an IP address, got {host!r}")
    where = f"{where} ({host.strip()})"  # the position, and the entry by its name
    ports = item.get("port")
    if (not isinstance(ports, list) or not ports
            or any(isinstance(p, bool) or not isinstance(p, int) or not 0 < p < 65536
                   for p in ports)):
        raise DomainListError(f"{where}: 'port' expected a list of port numbers, got {ports!r}")
    necessary = item.get("is_necessary", 1)
    if necessary not in (0, 1) or isinstance(necessary, bool):
        raise DomainListError(f"{where}: 'is_necessary' expected 1 or 0, got {necessary!r}")
    texts = {k: item.get(k) or "" for k in ("protocol", "universal_domian", "description")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise DomainListError(f"{where}: '{key}' expected a string, got {value!r}")
    return Entry(
        host=host.strip().rstrip(".").lower(), ports=tuple(dict.fromkeys(ports)),
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
