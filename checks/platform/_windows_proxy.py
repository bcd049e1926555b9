"""Windows proxy settings: what is in effect for the user
(WinHttpGetIEProxyConfigForCurrentUser), every connection's own settings (LAN, dial-up,
PPPoE, VPN), per user or machine-wide as policy says, and the machine's WinHTTP proxy;
read and changed per connection through WinINet's INTERNET_PER_CONN_OPTION_LIST, never
by writing its binary registry values. Type-checked with `mypy --platform win32`."""

from __future__ import annotations

import sys
from typing import Any

from checks.platform._common import ConnectionProxy
from checks.platform._windows_registry import (
    CONNECTIONS_KEY,
    read_registry_value,
    read_wininet,
)
from checks.platform.parsers import proxy_settings as parsers

# Group Policy "Make proxy settings per-machine": ProxySettingsPerUser = 0 under HKLM.
_POLICY_KEY = r"Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"
_PER_CONNECTION_OPTION, _SETTINGS_CHANGED, _REFRESH = 75, 39, 37  # INTERNET_OPTION_*
# INTERNET_PER_CONN_FLAGS, _PROXY_SERVER, _PROXY_BYPASS, _AUTOCONFIG_URL; _FLAGS_UI (IE 8
# and later) is what the person ticked, auto-detect included, whatever detection found.
_FLAGS, _SERVER, _BYPASS, _PAC, _FLAGS_UI = 1, 2, 3, 4, 10


def system_proxy() -> list[dict[str, Any]]:
    """The proxy in effect, each connection that has one of its own, and WinHTTP's."""
    if sys.platform != "win32":  # keeps the type checker on other platforms quiet
        return []
    found = [_in_effect()]
    try:
        scope, blobs = proxy_connections()
    except OSError:
        scope, blobs = "user", {}
    for connection in parsers.connections_with_proxy(blobs):
        found.append(parsers.proxy_record(
            "wininet", connection["proxy"], connection["pac_url"], connection["bypass"],
            bool(connection["flags"] & parsers.FLAG_AUTO_DETECT),
            connection=connection["connection"] or "LAN", scope=scope))
    try:
        saved = read_registry_value("HKLM", CONNECTIONS_KEY, "WinHttpSettings")
    except OSError:
        saved = None
    if saved is not None and isinstance(saved[0], bytes):
        parsed = parsers.parse_connection_blob(saved[0])
        found.append(parsers.proxy_record(
            "winhttp", parsed["proxy"] if parsed["uses_proxy"] else "", "", parsed["bypass"],
            False, error=parsed["error"]))
    return found


def _in_effect() -> dict[str, Any]:
    config = ie_proxy_config()
    if config is not None:
        return parsers.proxy_record("wininet", config["proxy"], config["pac_url"],
                                    config["bypass"], config["auto_detect"], connection="in effect")
    # The call failed: the LAN settings as the registry holds them.
    try:
        raw = read_wininet(("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"))
        saved = read_registry_value("HKCU", CONNECTIONS_KEY, parsers.LAN)
    except OSError:
        raw, saved = {}, None
    blob = saved[0] if saved is not None and isinstance(saved[0], bytes) else None
    state = parsers.wininet_state({n: v[0] for n, v in raw.items() if v is not None}, blob)
    return parsers.proxy_record("wininet", state["server"] if state["enabled"] else "",
                                state["pac_url"] or "", state["bypass"], state["auto_detect"],
                                connection="LAN")


def ie_proxy_config() -> dict[str, Any] | None:
    """WinHttpGetIEProxyConfigForCurrentUser: the settings in effect for this user
    (the active connection's), or None when the call fails."""
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    class IEProxyConfig(ctypes.Structure):
        _fields_ = [("fAutoDetect", wintypes.BOOL), ("lpszAutoConfigUrl", ctypes.c_void_p),
                    ("lpszProxy", ctypes.c_void_p), ("lpszProxyBypass", ctypes.c_void_p)]

    try:
        winhttp = ctypes.WinDLL("winhttp", use_last_error=True)
        config = IEProxyConfig()
        if not winhttp.WinHttpGetIEProxyConfigForCurrentUser(ctypes.byref(config)):
            return None
    except (AttributeError, OSError):
        return None
    texts = {}
    for field, key in (("lpszAutoConfigUrl", "pac_url"), ("lpszProxy", "proxy"),
                       ("lpszProxyBypass", "bypass")):
        pointer = getattr(config, field)
        texts[key] = ctypes.wstring_at(pointer) if pointer else ""
        if pointer:
            ctypes.windll.kernel32.GlobalFree(ctypes.c_void_p(pointer))
    return {"auto_detect": bool(config.fAutoDetect), **texts}


def proxy_connections() -> tuple[str, dict[str, bytes]]:
    """("user" | "machine", connection value -> blob) from the Connections key policy
    says WinINet uses: the user's, or HKLM's when ProxySettingsPerUser is 0."""
    if sys.platform != "win32":
        raise OSError("WinINet exists only on Windows")
    import winreg

    policy = read_registry_value("HKLM", _POLICY_KEY, "ProxySettingsPerUser")
    machine = policy is not None and policy[0] == 0
    blobs: dict[str, bytes] = {}
    hive = winreg.HKEY_LOCAL_MACHINE if machine else winreg.HKEY_CURRENT_USER
    try:
        with winreg.OpenKey(hive, CONNECTIONS_KEY) as key:
            for index in range(1024):
                try:
                    name, value, kind = winreg.EnumValue(key, index)
                except OSError:
                    break
                if kind == winreg.REG_BINARY and isinstance(value, bytes):
                    blobs[name] = value
    except FileNotFoundError:
        pass
    return ("machine" if machine else "user"), blobs


def _option_list(connection: str, values: list[tuple[int, int | str | None]]) -> Any:
    import ctypes
    from ctypes import wintypes

    class Value(ctypes.Union):
        _fields_ = [("dwValue", wintypes.DWORD), ("pszValue", ctypes.c_void_p),
                    ("ftValue", wintypes.FILETIME)]

    class Option(ctypes.Structure):
        _fields_ = [("dwOption", wintypes.DWORD), ("Value", Value)]

    class OptionList(ctypes.Structure):
        _fields_ = [("dwSize", wintypes.DWORD), ("pszConnection", wintypes.LPCWSTR),
                    ("dwOptionCount", wintypes.DWORD), ("dwOptionError", wintypes.DWORD),
                    ("pOptions", ctypes.POINTER(Option))]

    options = (Option * len(values))()
    keep = []  # the strings must live as long as the call
    for slot, (option, value) in zip(options, values, strict=True):
        slot.dwOption = option
        if isinstance(value, int):
            slot.Value.dwValue = value
        elif isinstance(value, str):
            buffer = ctypes.create_unicode_buffer(value)
            keep.append(buffer)
            slot.Value.pszValue = ctypes.cast(buffer, ctypes.c_void_p).value
    listed = OptionList(ctypes.sizeof(OptionList), connection or None, len(values), 0,
                        ctypes.cast(options, ctypes.POINTER(Option)))
    return listed, options, keep


def internet_options(connection: str) -> ConnectionProxy:
    """InternetQueryOptionW(INTERNET_OPTION_PER_CONNECTION_OPTION) for the LAN ("") or
    the dial-up/VPN connection of that name."""
    if sys.platform != "win32":
        raise OSError("WinINet exists only on Windows")
    import ctypes

    wininet = ctypes.WinDLL("wininet", use_last_error=True)
    for flags in (_FLAGS_UI, _FLAGS):
        listed, options, _keep = _option_list(
            connection, [(flags, None), (_SERVER, None), (_BYPASS, None), (_PAC, None)])
        size = ctypes.c_ulong(ctypes.sizeof(listed))
        if wininet.InternetQueryOptionW(None, _PER_CONNECTION_OPTION, ctypes.byref(listed),
                                        ctypes.byref(size)):
            break
    else:
        raise ctypes.WinError(ctypes.get_last_error())
    texts = []
    for option in options[1:]:
        pointer = option.Value.pszValue
        texts.append(ctypes.wstring_at(pointer) if pointer else "")
        if pointer:
            ctypes.windll.kernel32.GlobalFree(ctypes.c_void_p(pointer))
    return ConnectionProxy(int(options[0].Value.dwValue), *texts)


def set_internet_options(connection: str, wanted: ConnectionProxy) -> None:
    """InternetSetOptionW for one connection, then tell running programs (WeChat and
    WeCom among them) that the settings changed."""
    if sys.platform != "win32":
        raise OSError("WinINet exists only on Windows")
    import ctypes

    wininet = ctypes.WinDLL("wininet", use_last_error=True)
    for flags in (_FLAGS_UI, _FLAGS):
        listed, _options, _keep = _option_list(connection, [
            (flags, wanted.flags), (_SERVER, wanted.proxy), (_BYPASS, wanted.bypass),
            (_PAC, wanted.pac_url)])
        if wininet.InternetSetOptionW(None, _PER_CONNECTION_OPTION, ctypes.byref(listed),
                                      ctypes.sizeof(listed)):
            break
    else:
        raise ctypes.WinError(ctypes.get_last_error())
    wininet.InternetSetOptionW(None, _SETTINGS_CHANGED, None, 0)
    wininet.InternetSetOptionW(None, _REFRESH, None, 0)

