"""Root causes: stable codes with a plain-language sentence and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from checks.i18n import Text, t


@dataclass(frozen=True)
class CauseInfo:
    summary: Text
    advice: Text


CAUSES: dict[str, CauseInfo] = {
    "healthy": CauseInfo(
        t("No network problem found.", "未发现网络问题。"),
        t(
            "If WeChat/WeCom still cannot log in, restart the app or check the account.",
            "如果微信/企业微信仍无法登录，请重启应用或核对账号状态。",
        ),
    ),
    "offline": CauseInfo(
        t("This computer is not connected to the internet.", "这台电脑没有连接到互联网。"),
        t("Connect to Wi-Fi or plug in the cable, then check again.", "请连接 Wi-Fi 或插好网线后重新检测。"),
    ),
    "dns_failure": CauseInfo(
        t("Server names cannot be resolved (DNS failure).", "服务器域名无法解析（DNS 故障）。"),
        t("Restart the router or change the DNS server to 119.29.29.29.", "请重启路由器，或把 DNS 改为 119.29.29.29。"),
    ),
    "dns_pollution": CauseInfo(
        t("Your DNS gives wrong addresses for WeChat/WeCom (DNS pollution).", "DNS 为微信/企业微信返回了错误的地址（DNS 污染）。"),
        t("Change the DNS server to 119.29.29.29 or 223.5.5.5, then flush the DNS cache.", "请把 DNS 改为 119.29.29.29 或 223.5.5.5，然后清除 DNS 缓存。"),
    ),
    "fake_ip_proxy": CauseInfo(
        t("A proxy tool in \"fake IP\" mode is answering DNS.", "代理工具的“Fake IP”模式接管了 DNS。"),
        t("Turn off the proxy tool (e.g. Clash) or add WeChat/WeCom to its direct rules.", "请关闭代理工具（如 Clash），或把微信/企业微信加入直连规则。"),
    ),
    "hosts_override": CauseInfo(
        t("The hosts file redirects WeChat/WeCom servers.", "hosts 文件重定向了微信/企业微信的服务器。"),
        t("Remove or comment out those lines in the hosts file.", "请删除或注释掉 hosts 文件中的这些行。"),
    ),
    "tcp_blocked": CauseInfo(
        t("A firewall blocks connections to the servers.", "防火墙拦截了到服务器的连接。"),
        t("Allow WeChat/WeCom in the firewall or ask your network administrator.", "请在防火墙中放行微信/企业微信，或联系网络管理员。"),
    ),
    "tls_intercepted": CauseInfo(
        t("Your network inspects encrypted traffic.", "您所在的网络在检查加密流量。"),
        t("Ask IT to exempt *.weixin.qq.com and *.work.weixin.qq.com from HTTPS inspection.", "请让 IT 部门将 *.weixin.qq.com 和 *.work.weixin.qq.com 排除在 HTTPS 检查之外。"),
    ),
    "tls_invalid_certificate": CauseInfo(
        t("The servers' security certificate is not trusted.", "服务器的安全证书不受信任。"),
        t("Check the date and time, and avoid public Wi-Fi that intercepts traffic.", "请检查日期和时间，并避免使用会拦截流量的公共 Wi-Fi。"),
    ),
    "http_hijack": CauseInfo(
        t("Plain web traffic is hijacked on this network.", "此网络劫持了普通网页流量。"),
        t("Use another network, or ask the provider to stop the redirection.", "请换一个网络，或要求运营商停止劫持。"),
    ),
    "captive_portal": CauseInfo(
        t("This Wi-Fi needs you to sign in first (captive portal).", "此 Wi-Fi 需要先在网页上登录认证。"),
        t("Open the sign-in page in a browser and log in to the Wi-Fi.", "请在浏览器中打开认证页面并登录 Wi-Fi。"),
    ),
    "pmtu_blackhole": CauseInfo(
        t("Large packets are silently dropped on the way (MTU problem).", "大数据包在途中被丢弃（MTU 问题）。"),
        t("Lower the network adapter's MTU to the value found.", "请把网卡 MTU 调低到检测到的数值。"),
    ),
    "proxy_broken": CauseInfo(
        t("The configured proxy does not work.", "已设置的代理服务器无法使用。"),
        t("Turn off the system proxy or fix its address.", "请关闭系统代理或修正代理地址。"),
    ),
    "vpn_interference": CauseInfo(
        t("A VPN or proxy tool interferes with the connection.", "VPN 或代理工具干扰了连接。"),
        t("Turn off the VPN, or let WeChat/WeCom bypass it.", "请关闭 VPN，或让微信/企业微信绕过它。"),
    ),
    "clock_skew": CauseInfo(
        t("The computer's clock is wrong.", "电脑时间不准确。"),
        t("Turn on automatic time and sync it now.", "请开启自动设置时间并立即同步。"),
    ),
    "cache_corrupt": CauseInfo(
        t("The client's local data is damaged.", "客户端的本地数据已损坏。"),
        t("Clear the client's cache (chat history is kept).", "请清理客户端缓存（聊天记录会保留）。"),
    ),
    "cache_permission": CauseInfo(
        t("The client cannot write to its data folder.", "客户端无法写入其数据文件夹。"),
        t("Give your user account write access to the folder.", "请为当前用户授予该文件夹的写入权限。"),
    ),
    "disk_full": CauseInfo(
        t("The disk is almost full.", "磁盘空间几乎已满。"),
        t("Free at least 1 GB of disk space.", "请至少释放 1 GB 磁盘空间。"),
    ),
    "client_outdated": CauseInfo(
        t("The client version is too old.", "客户端版本过旧。"),
        t("Update WeChat/WeCom to the latest version.", "请把微信/企业微信更新到最新版本。"),
    ),
    "slow_network": CauseInfo(
        t("The network is slow or loses packets.", "网络较慢或存在丢包。"),
        t("Move closer to the Wi-Fi router or use a cable.", "请靠近 Wi-Fi 路由器或改用网线。"),
    ),
}


def cause_info(code: str) -> CauseInfo:
    return CAUSES.get(code) or CauseInfo(t(code, code), t("", ""))
