"""Proxy settings in their many spellings, turned into one shape.

An entry is a dict: ``{"protocol": traffic it applies to ("all", "http", "https",
"socks", "ftp"), "kind": how to speak to it ("http", "socks4", "socks5"),
"host", "port"}``. Everything here is pure and tested on captured samples.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from checks.platform.parsers.numbers import ascii_int, parse_port

_SCHEME_KIND = {
    "http": "http", "https": "http", "socks": "socks5", "socks5": "socks5",
    "socks5h": "socks5", "socks4": "socks4", "socks4a": "socks4",
}
_DEFAULT_PORT = {"http": 80, "socks5": 1080, "socks4": 1080}


def parse_address(value: str, protocol: str = "all", kind: str = "http") -> dict[str, Any] | None:
    """'host:port', 'scheme://user:pw@host:port/', '[v6]:port' -> an entry (None if unusable)."""
    text = value.strip().strip("'\"")
    if not text:
        return None
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", text)
    if match:
        scheme = match.group(1).lower()
        kind = _SCHEME_KIND.get(scheme, "http")
        text = match.group(2)
    text = text.split("/", 1)[0].rsplit("@", 1)[-1]
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, port_text = text[1:end], text[end + 1 :].lstrip(":")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    host = host.strip()
    if not host or any(c.isspace() for c in host):
        return None
    if port_text:
        parsed = parse_port(port_text)
        if parsed is None:
            return None
        port = parsed
    else:
        port = _DEFAULT_PORT[kind]
    return {"protocol": protocol, "kind": kind, "host": host, "port": port}


def parse_proxy_server(value: str) -> list[dict[str, Any]]:
    """WinINet ProxyServer: 'host:port' for everything, or 'http=h:p;https=h:p;socks=h:p'."""
    entries: list[dict[str, Any]] = []
    for part in re.split(r"[;\s]+", value.strip()):
        if not part:
            continue
        if "=" in part and "://" not in part.split("=", 1)[0]:
            protocol, _, address = part.partition("=")
            protocol = protocol.strip().lower()
            kind = "socks4" if protocol == "socks" else "http"  # WinINet speaks SOCKS4 only
            entry = parse_address(address, protocol=protocol, kind=kind)
        else:
            entry = parse_address(part)
        if entry is not None:
            entries.append(entry)
    return entries


def parse_bypass(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,\s]+", value or "") if p.strip()]


# ---- WinHTTP / WinINet connection blobs ----------------------------------------------

FLAG_DIRECT, FLAG_PROXY, FLAG_AUTO_URL, FLAG_AUTO_DETECT = 0x1, 0x2, 0x4, 0x8


def parse_connection_blob(blob: bytes) -> dict[str, Any]:
    """WinHttpSettings / DefaultConnectionSettings: version, counter, flags, then
    length-prefixed strings (proxy, bypass, and in the WinINet form the PAC URL).

    Truncated or garbled blobs give what could be read plus ``"error"``.
    """
    result: dict[str, Any] = {"flags": None, "proxy": "", "bypass": "", "autoconfig_url": "",
                              "error": None}
    if len(blob) < 12:
        result["error"] = "truncated"
        return result
    _version, _counter, flags = struct.unpack_from("<III", blob, 0)
    result["flags"] = flags
    offset = 12
    for key in ("proxy", "bypass", "autoconfig_url"):
        if offset + 4 > len(blob):
            break
        (length,) = struct.unpack_from("<I", blob, offset)
        offset += 4
        if length > len(blob) - offset:
            result["error"] = "truncated"
            break
        result[key] = blob[offset : offset + length].decode("latin-1").rstrip("\0")
        offset += length
    result["uses_proxy"] = bool(flags & FLAG_PROXY) and bool(result["proxy"])
    result["uses_autoconfig"] = bool(flags & FLAG_AUTO_URL) and bool(result["autoconfig_url"])
    result["auto_detect"] = bool(flags & FLAG_AUTO_DETECT)
    return result


def blob_with_flags(blob: bytes, flags: int) -> bytes:
    """The same blob with other flags and the change counter bumped (as the Internet
    Options dialog does); every other byte, the saved addresses included, stays."""
    if len(blob) < 12:
        raise ValueError("not a connection-settings blob (shorter than 12 bytes)")
    (counter,) = struct.unpack_from("<I", blob, 4)
    return blob[:4] + struct.pack("<II", (counter + 1) & 0xFFFFFFFF, flags) + blob[12:]


def is_winhttp_blob(blob: bytes) -> bool:
    """A well-formed WinHttpSettings value: version, counter, flags, then two length-
    prefixed strings and nothing after them (what `netsh winhttp` writes; the first
    DWORD is 0x18 in Windows' default value and 0x28 in others seen in the wild)."""
    if len(blob) < 20:
        return False
    offset = 12
    for _ in range(2):
        if offset + 4 > len(blob):
            return False
        (length,) = struct.unpack_from("<I", blob, offset)
        offset += 4 + length
    return offset == len(blob)


def wininet_state(values: dict[str, Any], blob: bytes | None) -> dict[str, Any]:
    """What WinINet (most programs, WeChat and WeCom included) is set to use.

    `values` are the Internet Settings values (ProxyEnable, ProxyServer, ProxyOverride,
    AutoConfigURL) as plain values; `blob` is Connections\\DefaultConnectionSettings,
    which WinINet itself reads: a proxy or PAC switched on in either counts, and
    "Automatically detect settings" exists only there (flag 0x08).
    """
    parsed = parse_connection_blob(blob) if blob else None
    if parsed is not None and parsed["error"] is not None:
        parsed = None  # garbled: fall back to the values alone
    saved: dict[str, Any] = parsed or {"flags": 0, "proxy": "", "bypass": "", "uses_proxy": False,
                                       "uses_autoconfig": False, "autoconfig_url": ""}
    server = str(values.get("ProxyServer") or "") or saved["proxy"]
    pac = str(values.get("AutoConfigURL") or "").strip()
    if not pac and saved["uses_autoconfig"]:
        pac = saved["autoconfig_url"].strip()
    enabled = str(values.get("ProxyEnable", 0)) == "1" or saved["uses_proxy"]
    return {
        "enabled": enabled and bool(server),
        "server": server,
        "pac_url": pac or None,
        "auto_detect": bool(saved["flags"] & FLAG_AUTO_DETECT),
        "bypass": str(values.get("ProxyOverride") or "") or saved["bypass"],
        "blob_flags": parsed["flags"] if parsed else None,
    }


# Values of Internet Settings\Connections that are not a connection's own settings.
_NOT_CONNECTIONS = {"savedlegacysettings", "winhttpsettings"}
LAN = "DefaultConnectionSettings"


def connections_with_proxy(blobs: dict[str, bytes]) -> list[dict[str, Any]]:
    """Every connection whose own settings have a proxy or PAC switched on: the LAN
    (`DefaultConnectionSettings`, connection "") and each dial-up/PPPoE/VPN connection,
    whose value is named after it. WinINet uses a connection's settings while it is
    dialled, whatever the LAN's say."""
    found = []
    for name, blob in blobs.items():
        if name.lower() in _NOT_CONNECTIONS or not isinstance(blob, bytes):
            continue
        parsed = parse_connection_blob(blob)
        if parsed["error"] is None and (parsed["uses_proxy"] or parsed["uses_autoconfig"]):
            found.append({"connection": "" if name == LAN else name, "flags": parsed["flags"],
                          "proxy": parsed["proxy"] if parsed["uses_proxy"] else "",
                          "pac_url": parsed["autoconfig_url"] if parsed["uses_autoconfig"] else "",
                          "bypass": parsed["bypass"]})
    return found


def proxy_record(source: str, proxy: str, pac_url: str, bypass: str, auto_detect: bool,
                 **extra: Any) -> dict[str, Any]:
    """The proxy check's record of one setting."""
    return {"source": source, "proxies": parse_proxy_server(proxy) if proxy else [],
            "pac_url": pac_url.strip() or None, "auto_detect": auto_detect,
            "bypass": parse_bypass(bypass), **extra}


# ---- macOS `scutil --proxy` ------------------------------------------------------------


def parse_scutil(text: str) -> dict[str, Any]:
    """The `<dictionary> { key : value ... }` dump, nested arrays/dicts included."""
    root: dict[str, Any] = {}
    stack: list[Any] = [root]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("<dictionary> {") and len(stack) == 1 and not root:
            continue
        if line == "}":
            if len(stack) > 1:
                stack.pop()
            continue
        key, sep, value = line.partition(" : ")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        container = stack[-1]
        if value in ("<array> {", "<dictionary> {"):
            child: Any = [] if value.startswith("<array>") else {}
            _put(container, key, child)
            stack.append(child)
        else:
            _put(container, key, value)
    return root


def _put(container: Any, key: str, value: Any) -> None:
    if isinstance(container, list):
        container.append(value)
    else:
        container[key] = value


def proxies_from_scutil(settings: dict[str, Any]) -> dict[str, Any]:
    entries = []
    for prefix, protocol, kind in (("HTTP", "http", "http"), ("HTTPS", "https", "http"),
                                   ("SOCKS", "socks", "socks5")):
        if str(settings.get(f"{prefix}Enable", "0")) != "1":
            continue
        host = str(settings.get(f"{prefix}Proxy", "")).strip()
        port_text = str(settings.get(f"{prefix}Port", "")).strip()
        # Host and port are separate values: never let "@" or ":" in one reshape the other.
        port = parse_port(port_text) if port_text else None
        entry = parse_address(host, protocol=protocol, kind=kind) if host else None
        if entry and (port is not None or not port_text):
            entry["port"] = port or entry["port"]
            entries.append(entry)
    pac = ""
    if str(settings.get("ProxyAutoConfigEnable", "0")) == "1":
        pac = str(settings.get("ProxyAutoConfigURLString", "")).strip()
    exceptions = settings.get("ExceptionsList", [])
    return {
        "proxies": entries,
        "pac_url": pac or None,
        "auto_detect": str(settings.get("ProxyAutoDiscoveryEnable", "0")) == "1",
        "bypass": [str(e) for e in exceptions] if isinstance(exceptions, list) else [],
    }


# ---- GNOME `gsettings list-recursively org.gnome.system.proxy` ------------------------


def parse_gsettings(text: str) -> dict[str, Any]:
    """Lines 'org.gnome.system.proxy[.sub] key value' (GVariant text) -> settings."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) == 3 and parts[0].startswith("org.gnome.system.proxy"):
            section = parts[0][len("org.gnome.system.proxy") :].lstrip(".")
            values[f"{section}.{parts[1]}" if section else parts[1]] = parts[2]
    mode = _gvariant_str(values.get("mode", "'none'"))
    entries = []
    if mode == "manual":
        for section, protocol, kind in (("http", "http", "http"), ("https", "https", "http"),
                                        ("socks", "socks", "socks5")):
            host = _gvariant_str(values.get(f"{section}.host", "''"))
            port = values.get(f"{section}.port", "0").split()[-1]
            if host and parse_port(port) is not None:
                entry = parse_address(f"{host}:{port}", protocol=protocol, kind=kind)
                if entry:
                    entries.append(entry)
    pac = _gvariant_str(values.get("autoconfig-url", "''")) if mode == "auto" else ""
    return {
        "mode": mode,
        "proxies": entries,
        "pac_url": pac or None,
        "auto_detect": mode == "auto" and not pac,
        "bypass": re.findall(r"'([^']*)'", values.get("ignore-hosts", "")),
    }


def _gvariant_str(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


# ---- KDE ~/.config/kioslaverc --------------------------------------------------------

_KDE_MANUAL, _KDE_PAC, _KDE_WPAD, _KDE_ENV = 1, 2, 3, 4


def parse_kioslaverc(text: str) -> dict[str, Any]:
    """[Proxy Settings]: ProxyType 0 none, 1 manual, 2 PAC URL, 3 auto-detect, 4 env vars.

    KDE writes a proxy as 'http://host port' (a space before the port) or 'host:port'.
    """
    section = ""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section == "Proxy Settings" and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip().split("[", 1)[0]] = value.strip()
    proxy_type = ascii_int(values.get("ProxyType", "0")) or 0
    entries = []
    if proxy_type == _KDE_MANUAL:
        for key, protocol, kind in (("httpProxy", "http", "http"), ("httpsProxy", "https", "http"),
                                    ("socksProxy", "socks", "socks5")):
            value = values.get(key, "")
            host_port = re.sub(r"\s+([0-9]+)$", r":\1", value.strip())
            entry = parse_address(host_port, protocol=protocol, kind=kind) if host_port else None
            if entry:
                entries.append(entry)
    pac = values.get("Proxy Config Script", "") if proxy_type == _KDE_PAC else ""
    return {
        "proxy_type": proxy_type,
        "proxies": entries,
        "pac_url": pac or None,
        "auto_detect": proxy_type == _KDE_WPAD,
        "bypass": parse_bypass(values.get("NoProxyFor", "")),
    }


# ---- environment variables -------------------------------------------------------------

ENV_VARS = ("https_proxy", "http_proxy", "all_proxy")


def proxies_from_env(environ: dict[str, str]) -> dict[str, Any]:
    """http_proxy/https_proxy/all_proxy/no_proxy in either case (lower case wins, like curl)."""
    lowered: dict[str, str] = {}
    for key, value in environ.items():
        name = key.lower()
        if name in (*ENV_VARS, "no_proxy") and (name not in lowered or key == name):
            lowered[name] = value
    entries = []
    for name in ENV_VARS:
        value = lowered.get(name, "").strip()
        if not value:
            continue
        protocol = {"https_proxy": "https", "http_proxy": "http", "all_proxy": "all"}[name]
        entry = parse_address(value, protocol=protocol)
        if entry:
            entry["variable"] = name
            entries.append(entry)
    return {"proxies": entries, "bypass": parse_bypass(lowered.get("no_proxy", ""))}
