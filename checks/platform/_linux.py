"""Linux specifics."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from checks.platform import _common
from checks.platform._common import AdapterInfo
from checks.platform._posix import (  # noqa: F401 (part of the platform interface)
    copy_owner_and_mode,
    current_user_id,
    file_access,
    internet_options,
    is_admin,
    proxy_connections,
    read_registry_value,
    read_wininet,
    set_internet_options,
    set_system_time,
    shell_execute_runas,
    tencent_registry,
    write_registry_value,
)
from checks.platform.commands import run_command

NAME = "linux"


def machine_config_path() -> Path | None:
    return Path("/etc/wxdoctor/config.toml")


def user_config_path() -> Path | None:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "wxdoctor" / "config.toml"


def default_hosts_file() -> Path:
    return Path("/etc/hosts")


def default_gateways() -> dict[str, str]:
    """Interface -> IPv4 gateway of its default route, from /proc/net/route."""
    return parse_proc_net_route(_read("/proc/net/route"))


def parse_proc_net_route(text: str) -> dict[str, str]:
    from checks.platform.parsers.adapters import hex_v4

    gateways: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 3 or cols[1] != "00000000":
            continue
        try:
            gateways[cols[0]] = hex_v4(cols[2])
        except ValueError:  # not the kernel's hex: skip the line
            continue
    return gateways


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def icmp_method() -> str:
    """How MTU probes are sent here: an ICMP socket if allowed, else the ping command."""
    from checks.platform import icmp_socket

    try:
        return icmp_socket.method()
    except icmp_socket.IcmpNotPermitted:
        return "ping_command"


def icmp_echo_df(address: str, size: int, timeout: float, method: str) -> dict[str, Any]:
    if method == "ping_command":
        return _common.ping_df(NAME, address, size, timeout)
    from checks.platform import icmp_socket

    return icmp_socket.echo_df(address, size, timeout)


def system_proxy() -> list[dict[str, Any]]:
    """Desktop proxy settings: GNOME (gsettings) and KDE (kioslaverc), when present."""
    from checks.platform.parsers import proxy_settings as parsers

    found: list[dict[str, Any]] = []
    result = run_command(["gsettings", "list-recursively", "org.gnome.system.proxy"], timeout=3.0)
    if result.ok:
        settings = parsers.parse_gsettings(result.stdout)
        found.append({"source": "gnome", **settings})
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    kde = Path(base) / "kioslaverc"
    try:
        text = kde.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = None
    if text is not None:
        found.append({"source": "kde", **parsers.parse_kioslaverc(text)})
    return found
def documents_dir() -> str | None:
    """XDG_DOCUMENTS_DIR from ~/.config/user-dirs.dirs (may be localized, e.g. ~/文档)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    try:
        text = (Path(base) / "user-dirs.dirs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return parse_user_dirs(text, str(Path.home())).get("XDG_DOCUMENTS_DIR")


def parse_user_dirs(text: str, home: str) -> dict[str, str]:
    """The xdg-user-dirs file: lines like XDG_DOCUMENTS_DIR="$HOME/Documents"."""
    result: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep or key.startswith("#"):
            continue
        value = value.strip().strip('"')
        if value.startswith("$HOME"):
            value = home + value[len("$HOME"):]
        if value.startswith("/"):
            result[key.strip()] = value
    return result


def installed_clients() -> list[dict[str, Any]]:
    """WeChat/WeCom for Linux from the dpkg database, else their usual /opt folders."""
    from checks.tencent.installed_clients import linux_dirs_present, parse_dpkg_status

    try:
        status = Path("/var/lib/dpkg/status").read_text(encoding="utf-8", errors="replace")
    except OSError:
        status = ""
    found = parse_dpkg_status(status)
    products = {c["product"] for c in found}
    return found + [d for d in linux_dirs_present() if d["product"] not in products]


# ---- adapters and routes ----------------------------------------------------------------

_SYS_NET = Path("/sys/class/net")
# ARPHRD_* (linux/if_arp.h) -> IANA ifType, for the kinds that have one.
_ARPHRD_IF_TYPE = {1: 6, 512: 23, 772: 24, 768: 131, 776: 131, 778: 131}
_IFF_BITS = ((0x1, "up"), (0x10, "pointopoint"))  # sysfs flags carry no IFF_RUNNING
_IFF_TUN, _IFF_TAP = 0x0001, 0x0002


def adapter_details() -> list[AdapterInfo]:
    """Every interface in sysfs: its device type (tun, tap, wireguard, ppp...), state, MTU."""
    try:
        folders = sorted(_SYS_NET.iterdir())
    except OSError:
        return []
    return [sysfs_adapter(folder) for folder in folders]


def sysfs_adapter(folder: Path) -> AdapterInfo:
    def read(name: str) -> str:
        try:
            return (folder / name).read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            return ""

    tun_flags = _int(read("tun_flags"), 16)
    if tun_flags is not None:
        kind = "tap" if tun_flags & _IFF_TAP else "tun"
    else:
        uevent = dict(line.partition("=")[::2] for line in read("uevent").splitlines())
        kind = uevent.get("DEVTYPE", "")
    arphrd = _int(read("type"), 10)
    flags = _int(read("flags"), 16) or 0
    operstate = read("operstate").replace("lowerlayerdown", "lower_layer_down")
    return AdapterInfo(
        name=folder.name, description=kind,
        if_type=_ARPHRD_IF_TYPE.get(arphrd) if arphrd is not None else None,
        oper_status=operstate.replace("notpresent", "not_present"), mtu=_int(read("mtu"), 10),
        flags=",".join(word for bit, word in _IFF_BITS if flags & bit))


def _int(text: str, base: int) -> int | None:
    try:
        return int(text, base)
    except ValueError:
        return None


def interface_routes() -> dict[str, list[str]] | None:
    """Interface -> destinations routed through it (main table and IPv6), link-local left out."""
    from checks.platform.parsers.adapters import parse_proc_routes

    v4, v6 = _read("/proc/net/route"), _read("/proc/net/ipv6_route")
    if not v4 and not v6:
        return None
    return parse_proc_routes(v4, v6)


def replace_file(target: str, replacement: str) -> None:
    """One rename, the new file carrying target's owner, mode and extended attributes
    (POSIX ACLs and the SELinux label live there). An attribute that cannot be copied
    raises OSError, so the caller can write in place instead and lose nothing."""
    copy_attributes(target, replacement)
    os.replace(replacement, target)


def copy_attributes(target: str, replacement: str) -> None:
    """Give `replacement` target's owner, mode and extended attributes (OSError when one
    cannot be copied)."""
    copy_owner_and_mode(target, replacement)
    if sys.platform == "linux":  # the xattr calls exist only there (mypy checks all three)
        try:
            names = os.listxattr(target, follow_symlinks=False)
        except OSError:
            names = []  # a file system without extended attributes has none to keep
        for name in names:
            os.setxattr(replacement, name, os.getxattr(target, name, follow_symlinks=False))
