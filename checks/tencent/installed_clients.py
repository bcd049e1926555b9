"""Recognising installed and running WeChat/WeCom clients (pure functions and tables).

The platform modules gather raw facts (registry values, Info.plist bytes, the
dpkg status file, process names); these functions turn them into
{"product", "name", "version", "source", "location"} records, so every OS's
rules are tested on captured data on Linux.
"""

from __future__ import annotations

import ntpath
import os
import plistlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from checks.tencent.products import product_of_name

# ---- Windows: uninstall registry entries -----------------------------------------------


def clients_from_uninstall(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Entries are the value dicts of ...\\Uninstall\\<key> (plus "key"), as read by winreg."""
    result = []
    seen = set()
    for entry in entries:
        name = str(entry.get("DisplayName") or "")
        key = str(entry.get("key") or "")
        product = product_of_name(name) or (product_of_name(key.rsplit("\\", 1)[-1]) if not name else None)
        publisher = str(entry.get("Publisher") or "")
        if product is None or (publisher and not _is_tencent(publisher)):
            continue
        version = str(entry.get("DisplayVersion") or "") or None
        ident = (product, version, str(entry.get("InstallLocation") or ""))
        if ident in seen:  # the same install seen through both registry views
            continue
        seen.add(ident)
        result.append(
            {
                "product": product,
                "name": name or key,
                "version": version,
                "source": "registry",
                "location": str(entry.get("InstallLocation") or "") or None,
            }
        )
    return result


# The clients' own keys under HKCU\\Software\\Tencent: a per-user install the programs list
# does not show still records its folder here (SOURCES.md, section 11). WeChat 4.x
# (Weixin.exe) keeps HKCU\\Software\\Tencent\\Weixin; 3.x kept ...\\WeChat.
TENCENT_INSTALL_VALUES = ("WXWork\\InstallPath", "WXWork\\Executable", "WXWork\\Version",
                          "Weixin\\InstallPath", "Weixin\\Version", "WeChat\\InstallPath")


def clients_from_tencent_registry(values: Mapping[str, str]) -> list[dict[str, Any]]:
    """Client records from the Tencent keys (`platform.tencent_registry`)."""
    result = []
    for key, product in (("WXWork", "wecom"), ("Weixin", "wechat"), ("WeChat", "wechat")):
        folder = values.get(f"{key}\\InstallPath") or ntpath.dirname(
            values.get(f"{key}\\Executable", ""))
        if not folder:
            continue
        version = values.get(f"{key}\\Version", "")
        result.append({
            "product": product,
            "name": key,
            "version": version if version[:1].isdigit() and "." in version else None,
            "source": "tencent_registry",
            "location": folder,
        })
    return result


def _is_tencent(publisher: str) -> bool:
    low = publisher.lower()
    return "tencent" in low or "腾讯" in low


# ---- macOS: app bundles ----------------------------------------------------------------

MAC_BUNDLES = ("企业微信.app", "WeWork.app", "WeCom.app", "WeChat.app", "微信.app")
_BUNDLE_IDS = {"com.tencent.weworkmac": "wecom", "com.tencent.xinwechat": "wechat"}


def app_from_plist(data: bytes, location: str = "") -> dict[str, Any] | None:
    """An app bundle's Info.plist (XML or binary) -> client record, or None."""
    try:
        info = plistlib.loads(data)
    except Exception:  # plistlib raises several types on garbage
        return None
    if not isinstance(info, dict):
        return None
    ident = str(info.get("CFBundleIdentifier") or "")
    name = str(info.get("CFBundleDisplayName") or info.get("CFBundleName") or ident)
    product = _BUNDLE_IDS.get(ident.lower()) or product_of_name(f"{ident} {name}")
    if product is None:
        return None
    version = info.get("CFBundleShortVersionString") or info.get("CFBundleVersion")
    return {
        "product": product,
        "name": name,
        "version": str(version) if version else None,
        "build": str(info.get("CFBundleVersion") or "") or None,
        "source": "app_bundle",
        "location": location or None,
    }


def scan_app_bundles(folders: Iterable[Path]) -> list[dict[str, Any]]:
    """Look for the client bundles in /Applications-like folders (works on any OS)."""
    found = []
    for folder in folders:
        for bundle in MAC_BUNDLES:
            plist = folder / bundle / "Contents" / "Info.plist"
            try:
                data = plist.read_bytes()
            except OSError:
                continue
            record = app_from_plist(data, str(folder / bundle))
            if record:
                found.append(record)
    return found


# ---- Linux: packages and /opt ----------------------------------------------------------

LINUX_PACKAGES = (
    "wechat",
    "wechat-beta",
    "com.tencent.wechat",
    "com.qq.weixin.work.deepin",
    "com.tencent.wework",
    "wxwork",
)
LINUX_DIRS = (
    "/opt/wechat",
    "/opt/apps/com.tencent.wechat",
    "/opt/apps/com.qq.weixin.work.deepin",
    "/opt/apps/com.tencent.wework",
)


def parse_dpkg_status(text: str, packages: Iterable[str] = LINUX_PACKAGES) -> list[dict[str, Any]]:
    """Installed client packages in /var/lib/dpkg/status (stanzas separated by blank lines)."""
    wanted = set(packages)
    result = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1].isspace() or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        name = fields.get("Package", "")
        if name not in wanted or "installed" not in fields.get("Status", "").split():
            continue
        product = product_of_name(name)
        if product:
            result.append(
                {
                    "product": product,
                    "name": name,
                    "version": fields.get("Version") or None,
                    "source": "dpkg",
                    "location": None,
                }
            )
    return result


def linux_dirs_present(dirs: Iterable[str] = LINUX_DIRS) -> list[dict[str, Any]]:
    return [
        {
            "product": product_of_name(d) or "wechat",
            "name": os.path.basename(d),
            "version": None,
            "source": "folder",
            "location": d,
        }
        for d in dirs
        if os.path.isdir(d)
    ]
