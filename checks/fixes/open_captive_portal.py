"""Open the Wi-Fi login page the captive-portal check found, in the default browser."""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from typing import Any
from urllib.parse import urlsplit

from checks.engine import check_ids, fix_ids
from checks.fixes._commands import run_action
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform import NAME as PLATFORM
from checks.probes.http import MAX_URL
from checks.shared.i18n import Text, t
from checks.shared.safe_text import has_control


def open_argv(os_name: str, url: str) -> list[str] | None:
    """The command that opens `url` in the default browser; None: os.startfile on Windows."""
    if os_name == "macos":
        return ["open", url]
    if os_name == "linux":
        return ["xdg-open", url]
    return None


_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def plain_host(host: str) -> bool:
    """A host name of letters, digits and hyphens (an international name in its xn--
    form), or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    name = host[:-1] if host.endswith(".") else host
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


def safe_url(url: Any) -> bool:
    """Only a plain web address: http or https, a host that is a plain name or address,
    no user name in front of it (`http://bank.example@evil.example/`), no control
    character, space or backslash anywhere. The URL comes from whatever answered the
    captive-portal probe: it must not make us open a file, a script or a look-alike."""
    if not isinstance(url, str) or len(url) > MAX_URL or has_control(url):
        return False
    if any(c.isspace() or c == "\\" for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return False
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    if parts.netloc.lower() not in (shown.lower(), f"{shown.lower()}:{parts.port}"):
        return False  # anything else in the authority (an empty port, odd brackets)
    return plain_host(host)


@register
class OpenCaptivePortal(Fix):
    id = fix_ids.OPEN_CAPTIVE_PORTAL
    title = t("Open the Wi-Fi login page", "打开 Wi-Fi 登录页面")
    order = 20
    needs_admin = False
    affects = (check_ids.CAPTIVE,)
    needs_checks = (check_ids.CAPTIVE,)

    def plan(self, env: FixEnv) -> Plan:
        url = (env.evidence("captive") or {}).get("portal_url")
        plan = Plan(self.id, t("Open the network's login page so you can sign in.",
                               "打开网络的登录页面，以便登录上网。"), env=env,
                    undo=t("Nothing to undo: it only opens a page.", "无需撤销：只是打开一个网页。"))
        if not url:
            plan.blocked = t("No Wi-Fi login page was detected.", "没有检测到 Wi-Fi 登录页面。")
            return plan
        if not safe_url(url):
            plan.blocked = t("The login page address is not a plain web address; not opening it.",
                             "登录页面的地址不是普通网址，不予打开。")
            return plan
        plan.summary = t("Open {url} in your browser and sign in there.",
                         "在浏览器中打开 {url} 并在页面上登录。", url=url)
        plan.actions.append(Action("open_url", t("Open {url}", "打开 {url}", url=url),
                                   argv=open_argv(PLATFORM, url), data={"url": url}))
        return plan

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        url = action.data["url"]
        if not safe_url(url):
            raise FixError(t("Refusing to open {url}.", "拒绝打开 {url}。", url=url))
        if action.argv is not None:
            run_action(Action("run", action.description, argv=action.argv), step, env)
        elif sys.platform == "win32":
            os.startfile(url)  # the Windows equivalent of `start URL`, without a shell
        else:
            import webbrowser

            if not webbrowser.open(url):
                raise FixError(t("No browser could be started.", "无法启动浏览器。"))

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        return t("Nothing to undo: a page was opened.", "无需撤销：只是打开了一个网页。")
