"""Windows proxy settings as the proxy check reads them: the user's WinINet settings and
the machine's WinHTTP proxy. Type-checked with `mypy --platform win32`."""

from __future__ import annotations

import sys
from typing import Any

from checks.platform._windows_registry import CONNECTIONS_KEY, read_registry_value, read_wininet


def system_proxy() -> list[dict[str, Any]]:
    """The user's WinINet proxy (what most apps use) and the machine's WinHTTP proxy."""
    if sys.platform != "win32":  # keeps the type checker on other platforms quiet
        return []
    import winreg

    from checks.platform.parsers import proxy_settings as parsers

    found: list[dict[str, Any]] = []
    try:
        raw = read_wininet(("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"))
    except OSError:
        raw = {}
    try:
        saved = read_registry_value("HKCU", CONNECTIONS_KEY, "DefaultConnectionSettings")
    except OSError:
        saved = None
    blob = saved[0] if saved is not None and isinstance(saved[0], bytes) else None
    state = parsers.wininet_state({name: value[0] for name, value in raw.items()
                                   if value is not None}, blob)
    found.append({
        "source": "wininet",
        "proxies": parsers.parse_proxy_server(state["server"]) if state["enabled"] else [],
        "pac_url": state["pac_url"],
        "auto_detect": state["auto_detect"],
        "bypass": parsers.parse_bypass(state["bypass"]),
    })
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, CONNECTIONS_KEY) as key:
            blob = winreg.QueryValueEx(key, "WinHttpSettings")[0]
    except OSError:
        blob = None
    if isinstance(blob, bytes):
        parsed = parsers.parse_connection_blob(blob)
        found.append({
            "source": "winhttp",
            "proxies": parsers.parse_proxy_server(parsed["proxy"]) if parsed["uses_proxy"] else [],
            "pac_url": None,
            "auto_detect": False,
            "bypass": parsers.parse_bypass(parsed["bypass"]),
            "error": parsed["error"],
        })
    return found
