"""Every stable code wxdoctor reports, with what it means in both languages.

Failure codes name what went wrong with one target (`tcp_timeout` for
login.work.weixin.qq.com:443); cause codes name the root cause the diagnosis
ranks (`dns_pollution`). Both are part of the report format and never change
meaning. Code elsewhere uses the constants below, never the strings, so a typo
is an import error instead of a silent mismatch; a contract test ties the
causes to the catalog, the diagnosis and the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from checks.shared.i18n import Text, t

FAILURES: dict[str, Text] = {}


def _failure(code: str, en: str, zh: str) -> str:
    FAILURES[code] = t(en, zh)
    return code


def meaning(code: str) -> Text:
    """What a failure code means; an unknown code (from a newer report) is shown as is."""
    if code in FAILURES:
        return FAILURES[code]
    if code.startswith("tcp_error_"):
        return t("connection error {n}", "连接错误 {n}", n=code.removeprefix("tcp_error_"))
    if code in CAUSES:  # a finding named by its cause (a slow path, a hosts line ...)
        summary = CAUSES[code].summary
        return t(summary.en.rstrip("."), summary.zh.rstrip("。"))
    if code.startswith("connect_") and code != "connect_":
        # A request that never got its connection: why the connect failed.
        return t("no connection: {why}", "无法连接：{why}", why=meaning(code.removeprefix("connect_")))
    return t(code, code)


# ---- name resolution -------------------------------------------------------------------
NOT_RESOLVED = _failure("not_resolved", "the name did not resolve", "域名无法解析")
DNS_NXDOMAIN = _failure("dns_nxdomain", "the name does not exist (NXDOMAIN)", "域名不存在")
DNS_SERVFAIL = _failure("dns_servfail", "the DNS server failed to answer (SERVFAIL)",
                        "DNS 服务器自身出错，无法给出结果")
DNS_REFUSED = _failure("dns_refused", "the DNS server refused to answer", "DNS 服务器拒绝应答")
DNS_TIMEOUT = _failure("dns_timeout", "no answer in time", "查询超时")
DNS_UNREACHABLE = _failure("dns_unreachable", "the DNS server cannot be reached", "无法连接 DNS 服务器")
DNS_NO_RESOLVER = _failure("dns_no_resolver", "no DNS server is configured", "未配置 DNS 服务器")
DNS_NO_ANSWER = _failure("dns_no_answer", "the name has no address", "域名没有地址记录")
DNS_LOOKUP_FAILED = _failure("dns_lookup_failed", "the lookup failed", "解析失败")
# getaddrinfo's EAI_NONAME: NXDOMAIN or no record of that type; the direct query tells which.
DNS_NXDOMAIN_OR_NODATA = _failure("dns_nxdomain_or_nodata", "the name or its address does not exist",
                                  "域名或其地址不存在")
DNS_BAD_NAME = _failure("dns_bad_name", "not a valid host name", "不是有效的域名")
DNS_INTERNAL_ERROR = _failure("dns_internal_error", "the lookup failed unexpectedly", "解析意外出错")
DNS_BAD_RESPONSE = _failure("dns_bad_response",
                            "the DNS server's answer could not be used (malformed, for another "
                            "question, or cut short)",
                            "DNS 服务器的应答无法使用（格式错误、答非所问或被截断）")
HTTP_DNS_UNREACHABLE = _failure("http_dns_unreachable", "the HTTP DNS service cannot be reached",
                                "无法连接 HTTP DNS 服务")
HTTP_DNS_ERROR = _failure("http_dns_error", "the HTTP DNS service gave no usable answer",
                          "HTTP DNS 服务没有给出可用的应答")
DNS_TRUSTED_UNREACHABLE = _failure("dns_trusted_unreachable", "no trusted DNS server answered",
                                   "可信 DNS 服务器均无应答")
DNS_FAKE_IP = _failure("dns_fake_ip", "a proxy tool's fake-IP address (198.18.0.0/15)",
                       "代理工具的 Fake IP 地址（198.18.0.0/15）")
DNS_BOGUS_UNSPECIFIED = _failure("dns_bogus_unspecified", "answered 0.0.0.0 (blocked)", "解析为 0.0.0.0（被屏蔽）")
DNS_BOGUS_LOOPBACK = _failure("dns_bogus_loopback", "answered this computer's own address (127.0.0.1)",
                              "解析为本机地址（127.0.0.1）")
DNS_BOGUS_LINK_LOCAL = _failure("dns_bogus_link_local", "answered a link-local address",
                                "解析为链路本地地址")
DNS_BOGUS_PRIVATE = _failure("dns_bogus_private", "answered a private address no public server has",
                             "解析为公网服务器不可能使用的内网地址")
DNS_BOGUS_RESERVED = _failure("dns_bogus_reserved", "answered a reserved address", "解析为保留地址")
DNS_MISMATCH = _failure("dns_mismatch", "the answer differs from trusted DNS and is not the real server",
                        "解析结果与可信 DNS 不同，且不是真正的服务器")
DNS_DIFFERS = _failure("dns_differs", "the answer differs from trusted DNS (unproven)",
                       "解析结果与可信 DNS 不同（无法证明真伪）")
DNS_SLOW = _failure("dns_slow", "the DNS server answers slowly", "DNS 服务器应答缓慢")
DNS_INTERMITTENT = _failure("dns_intermittent", "the DNS server fails now and then (answered only when asked again)",
                            "DNS 服务器时而失败（重试后才应答）")
DNS_SYSTEM_SILENT = _failure("dns_system_silent", "the system resolver did not answer in time; the DNS server did",
                             "系统解析器未及时应答，DNS 服务器有应答")

# ---- connections -----------------------------------------------------------------------
TCP_REFUSED = _failure("tcp_refused", "refused", "被拒绝")
TCP_RESET = _failure("tcp_reset", "reset", "被重置")
TCP_TIMEOUT = _failure("tcp_timeout", "timed out (blocked by a firewall?)", "超时（可能被防火墙拦截）")
TCP_UNREACHABLE = _failure("tcp_unreachable", "unreachable", "不可达")

# ---- secure connections ----------------------------------------------------------------
TLS_HANDSHAKE_TIMEOUT = _failure("tls_handshake_timeout", "no answer to the TLS handshake", "加密连接的握手没有应答")
TLS_RESET = _failure("tls_reset", "connection reset during the handshake", "握手时连接被重置")
TLS_EOF = _failure("tls_eof", "connection closed during the handshake", "握手时连接被关闭")
TLS_NOT_TLS = _failure("tls_not_tls", "the server does not speak TLS", "服务器没有使用标准加密连接")
TLS_UNTRUSTED_ISSUER = _failure("tls_untrusted_issuer", "certificate from an untrusted issuer", "证书颁发者不受信任")
TLS_EXPIRED = _failure("tls_expired", "certificate expired", "证书已过期")
TLS_NOT_YET_VALID = _failure("tls_not_yet_valid", "certificate not valid yet", "证书尚未生效")
TLS_NAME_MISMATCH = _failure("tls_name_mismatch", "certificate for another name", "证书与域名不符")
TLS_OLD_VERSION = _failure("tls_old_version", "outdated TLS version", "加密协议版本过旧")
TLS_UNEXPECTED_ISSUER = _failure("tls_unexpected_issuer", "certificate from an unexpected issuer (HTTPS inspection)",
                                 "证书来自非预期的颁发者（HTTPS 检查）")
TLS_VERIFY_FAILED = _failure("tls_verify_failed", "the certificate did not verify", "证书验证失败")
TLS_PROTOCOL_VERSION = _failure("tls_protocol_version", "no TLS version in common", "双方没有共同支持的加密协议版本")
TLS_ALERT = _failure("tls_alert", "the server ended the handshake with an alert", "服务器以告警结束了握手")
TLS_PROTOCOL_ERROR = _failure("tls_protocol_error", "the handshake failed", "握手失败")
HTTPS_SERVER_ERROR = _failure("https_server_error", "the server answers with an error (HTTP 5xx)",
                              "服务器返回错误（HTTP 5xx）")
CA_FILE_MISSING = _failure("ca_file_missing", "the file does not exist", "文件不存在")
CA_FILE_UNREADABLE = _failure("ca_file_unreadable", "the file cannot be read", "文件无法读取")
CA_FILE_INVALID = _failure("ca_file_invalid", "the file holds no usable certificate", "文件中没有可用的证书")

# ---- plain web traffic and portals ---------------------------------------------------
HTTP_TIMEOUT = _failure("http_timeout", "no answer in time", "响应超时")
HTTP_RESET = _failure("http_reset", "connection reset", "连接被重置")
HTTP_CLOSED = _failure("http_closed", "closed without an answer", "未应答即关闭")
HTTP_NOT_HTTP = _failure("http_not_http", "the answer is not HTTP", "应答不是 HTTP")
HTTP_NO_ANSWER = _failure("http_no_answer", "no server answered", "没有服务器应答")
HTTP_FOREIGN_REDIRECT = _failure("foreign_redirect", "redirected to a non-Tencent site", "被重定向到非腾讯网站")
HTTP_LOGIN_FORM = _failure("login_form", "a login page came back", "返回了一个登录页面")
HTTP_META_REFRESH = _failure("meta_refresh", "a page that redirects the browser came back", "返回了一个自动跳转的网页")
HTTP_SCRIPT_REDIRECT = _failure("script_redirect", "a page with a script redirect came back", "返回了一个用脚本跳转的网页")
HTTP_PORTAL_WORDS = _failure("portal_words", "a Wi-Fi login (portal) page came back", "返回了一个 Wi-Fi 认证页面")
CAPTIVE_NO_PROBE_ANSWERED = _failure("captive_no_probe_answered", "no connectivity probe answered",
                                     "没有连通性探测得到应答")
CAPTIVE_WRONG_ANSWER = _failure("wrong_answer", "answered with something else than expected", "应答内容与预期不符")

# ---- proxies ---------------------------------------------------------------------------
PROXY_NOT_RESOLVED = _failure("proxy_not_resolved", "its name does not resolve", "其域名无法解析")
PROXY_REFUSED = _failure("proxy_refused", "it refuses to connect to the server", "它拒绝连接到服务器")
PROXY_NO_ANSWER = _failure("proxy_no_answer", "it does not answer requests", "它不响应请求")
PROXY_BAD_REPLY = _failure("proxy_bad_reply", "it gives an invalid reply", "它返回了无效的应答")
PROXY_AUTH_REQUIRED = _failure("proxy_auth_required", "it needs a user name and password", "它需要用户名和密码")
PROXY_AUTH_REJECTED = _failure("proxy_auth_rejected", "it rejects the user name and password", "它拒绝了用户名和密码")
PAC_UNREACHABLE = _failure("pac_unreachable", "cannot be downloaded", "无法下载")
PAC_HTTP_ERROR = _failure("pac_http_error", "the server returns an error", "服务器返回错误")
PAC_NOT_A_PAC_FILE = _failure("pac_not_a_pac_file", "is not a proxy script", "不是代理脚本")
PAC_UNSUPPORTED_URL = _failure("pac_unsupported_url", "is not an http(s) address", "不是 http(s) 地址")
SETTINGS_TIMEOUT = _failure("settings_timeout", "reading the proxy settings took too long", "读取代理设置超时")
SETTINGS_UNREADABLE = _failure("settings_unreadable", "the proxy settings could not be read", "无法读取代理设置")

# ---- this computer's network ---------------------------------------------------------
NO_ADAPTER = _failure("no_adapter", "no network adapter is connected", "没有已连接的网络适配器")
NO_DEFAULT_ROUTE = _failure("no_default_route", "no route to the internet", "没有通往互联网的路由")
VPN_DEFAULT_ROUTE = _failure("vpn_default_route", "all traffic goes through a tunnel", "所有流量都经过隧道")
VPN_PRESENT = _failure("vpn_present", "VPN or proxy software is present", "存在 VPN 或代理软件")
PROCESS_TIMEOUT = _failure("process_timeout", "listing the programs took too long", "列出运行程序超时")
PROCESS_UNREADABLE = _failure("process_unreadable", "the running programs could not be listed", "无法列出运行的程序")
ICMP_BLOCKED = _failure("icmp_blocked", "ping (ICMP) gets no answer", "ping（ICMP）没有应答")
NO_IPV4 = _failure("no_ipv4", "no IPv4 address to probe", "没有可探测的 IPv4 地址")
PATH_MTU_LOW = _failure("path_mtu_low", "the path carries smaller packets", "线路只能通过较小的数据包")
MTU_BLACK_HOLE = _failure("black_hole", "large packets vanish without a word", "大数据包被悄无声息地丢弃")
MTU_PROBE_ERROR = _failure("probe_error", "the MTU probe could not run", "MTU 探测无法进行")
SLOW_NOT_MEASURED = _failure("latency_not_measured", "no connection time measured", "没有测到连接时间")
PACKET_LOSS = _failure("packet_loss", "packets are lost on the way", "数据包在途中丢失")

# ---- time ------------------------------------------------------------------------------
NTP_TIMEOUT = _failure("ntp_timeout", "no answer from the time server", "时间服务器无应答")
NTP_NOT_RESOLVED = _failure("ntp_not_resolved", "the time server's name does not resolve", "时间服务器域名无法解析")
NTP_UNREACHABLE = _failure("ntp_unreachable", "the time server cannot be reached", "无法连接时间服务器")
NTP_BAD_REPLY = _failure("ntp_bad_reply", "the time server's answer is invalid", "时间服务器的应答无效")
NTP_UNSYNCHRONISED = _failure("ntp_unsynchronised", "the time server has no correct time itself",
                              "时间服务器自身时间未同步")
CLOCK_OFFSET = _failure("clock_offset", "the clock is off", "时钟有偏差")

# ---- files and the clients -------------------------------------------------------------
HOSTS_MISSING = _failure("hosts_missing", "the file does not exist", "文件不存在")
HOSTS_PERMISSION = _failure("hosts_permission", "permission denied", "没有读取权限")
HOSTS_NOT_A_FILE = _failure("hosts_not_a_file", "it is a folder, not a file", "这是一个文件夹而不是文件")
HOSTS_UNREADABLE = _failure("hosts_unreadable", "the file cannot be read", "文件无法读取")
HOSTS_NOT_REGULAR = _failure("hosts_not_regular", "it is a pipe or device, not a file (not read)",
                             "这是管道或设备而不是普通文件（未读取）")
HOSTS_TOO_LARGE = _failure("hosts_too_large", "the file is too large to be a hosts file (not read)",
                           "文件过大，不像 hosts 文件（未读取）")
FOLDER_UNREADABLE = _failure("folder_unreadable", "the folder cannot be read", "文件夹无法读取")
FOLDER_UNWRITABLE = _failure("folder_unwritable", "the folder cannot be written", "文件夹无法写入")
FOLDER_NOT_A_FOLDER = _failure("folder_not_a_folder", "not a folder", "不是文件夹")
FOLDER_ACCESS_REFUSED = _failure("folder_access_refused",
                                 "reading was refused by the system's privacy or security protection",
                                 "系统的隐私或安全保护拒绝了读取")
DB_CORRUPT = _failure("db_corrupt", "a database is damaged", "数据库已损坏")
DATABASES_NOT_CHECKED = _failure("databases_not_checked", "the databases were not checked", "未检查数据库")
DISK_LOW = _failure("disk_low", "little free disk space", "磁盘剩余空间较少")
DISK_UNREADABLE = _failure("disk_unreadable", "the free space could not be read", "无法读取剩余空间")
INSTALLED_ERROR = _failure("installed_error", "the installed programs could not be read", "无法读取已安装的程序")
RUNNING_ERROR = _failure("running_error", "the running programs could not be read", "无法读取正在运行的程序")

# ---- the run itself ----------------------------------------------------------------------
CANCELLED = _failure("cancelled", "cancelled", "已取消")
DEADLINE = _failure("deadline", "did not finish in time", "未能按时完成")
INTERNAL_ERROR = _failure("internal_error", "the check failed unexpectedly", "检测意外出错")
CHECK_LOAD_ERROR = _failure("check_load_error", "the check could not be loaded", "检测无法加载")


# ---- root causes (their ranking is stated in checks/diagnosis/impact.py) ---------------


@dataclass(frozen=True)
class CauseInfo:
    summary: Text
    advice: Text


CAUSES: dict[str, CauseInfo] = {}


def _cause(code: str, summary: Text, advice: Text) -> str:
    CAUSES[code] = CauseInfo(summary, advice)
    return code


HEALTHY = _cause(
    "healthy",
    t("No network problem found.", "未发现网络问题。"),
    t("If WeChat/WeCom still cannot log in, restart the app or check the account.",
      "如果微信/企业微信仍无法登录，请重启应用或核对账号状态。"))
OFFLINE = _cause(
    "offline",
    t("This computer is not connected to the internet.", "这台电脑没有连接到互联网。"),
    t("Connect to Wi-Fi or plug in the cable, then check again.", "请连接 Wi-Fi 或插好网线后重新检测。"))
CAPTIVE_PORTAL = _cause(
    "captive_portal",
    t("This Wi-Fi needs you to sign in first (captive portal).", "此 Wi-Fi 需要先在网页上登录认证。"),
    t("Open the sign-in page in a browser and log in to the Wi-Fi.", "请在浏览器中打开认证页面并登录 Wi-Fi。"))
PROXY_BROKEN = _cause(
    "proxy_broken",
    t("The configured proxy does not work.", "已设置的代理服务器无法使用。"),
    t("Turn off the system proxy or fix its address.", "请关闭系统代理或修正代理地址。"))
# Direct connections fail while the proxy that is set reaches the servers: a network
# where only the proxy goes out, and the clients have not been told to use it.
PROXY_REQUIRED = _cause(
    "proxy_required",
    t("Direct connections to the servers are blocked, but the configured proxy reaches them.",
      "到服务器的直接连接被拦截，但已设置的代理可以连上服务器。"),
    t("Enter the proxy in WeChat/WeCom's network proxy settings.",
      "请在微信/企业微信的网络代理设置中填写这个代理。"))
PROXY_AUTH = _cause(
    "proxy_auth",
    t("The proxy needs a user name and password.", "代理服务器需要用户名和密码。"),
    t("Enter the proxy's user name and password in WeChat/WeCom's proxy settings, or ask IT.",
      "请在微信/企业微信的代理设置中填写代理的用户名和密码，或联系 IT 部门。"))
DNS_FAILURE = _cause(
    "dns_failure",
    t("Server names cannot be resolved (DNS failure).", "服务器域名无法解析（DNS 故障）。"),
    t("Restart the router or change the DNS server to 119.29.29.29.", "请重启路由器，或把 DNS 改为 119.29.29.29。"))
HOSTS_OVERRIDE = _cause(
    "hosts_override",
    t("The hosts file redirects WeChat/WeCom servers.", "hosts 文件重定向了微信/企业微信的服务器。"),
    t("Remove or comment out those lines in the hosts file.", "请删除或注释掉 hosts 文件中的这些行。"))
FAKE_IP_PROXY = _cause(
    "fake_ip_proxy",
    t("A proxy tool in \"fake IP\" mode is answering DNS.", "代理工具的“Fake IP”模式接管了 DNS。"),
    t("Turn off the proxy tool (e.g. Clash) or add WeChat/WeCom to its direct rules.",
      "请关闭代理工具（如 Clash），或把微信/企业微信加入直连规则。"))
DNS_POLLUTION = _cause(
    "dns_pollution",
    t("Your DNS gives wrong addresses for WeChat/WeCom (DNS pollution).", "DNS 为微信/企业微信返回了错误的地址（DNS 污染）。"),
    t("Change the DNS server to 119.29.29.29 or 223.5.5.5, then flush the DNS cache.",
      "请把 DNS 改为 119.29.29.29 或 223.5.5.5，然后清除 DNS 缓存。"))
DNS_UNRELIABLE = _cause(
    "dns_unreliable",
    t("The DNS server answers slowly or only now and then.", "DNS 服务器应答缓慢或时好时坏。"),
    t("Change the DNS server to 119.29.29.29 or 223.5.5.5, or restart the router.",
      "请把 DNS 改为 119.29.29.29 或 223.5.5.5，或重启路由器。"))
PMTU_BLACKHOLE = _cause(
    "pmtu_blackhole",
    t("Large packets are silently dropped on the way (MTU problem).", "大数据包在途中被丢弃。"),
    t("Lower the network adapter's MTU to the value found.", "请把网卡 MTU 调低到检测到的数值。"))
CLOCK_SKEW = _cause(
    "clock_skew",
    t("The computer's clock is wrong.", "电脑时间不准确。"),
    t("Turn on automatic time and sync it now.", "请开启自动设置时间并立即同步。"))
TCP_BLOCKED = _cause(
    "tcp_blocked",
    t("A firewall blocks connections to the servers.", "防火墙拦截了到服务器的连接。"),
    t("Allow WeChat/WeCom in the firewall or ask your network administrator.", "请在防火墙中放行微信/企业微信，或联系网络管理员。"))
# Some addresses of a server fail while another works: usually a firewall allow-list of
# out-of-date addresses instead of the domains.
ADDRESS_BLOCKED = _cause(
    "address_blocked",
    t("Some addresses of a server cannot be reached while its other addresses work.",
      "服务器的部分地址连不上，其他地址正常。"),
    t("Ask the network administrator to allow Tencent's servers by domain rather than by "
      "fixed addresses.",
      "请让网络管理员按域名放行腾讯服务器，而不是按固定地址。"))
TLS_INTERCEPTED = _cause(
    "tls_intercepted",
    t("Your network inspects encrypted traffic.", "您所在的网络在检查加密流量。"),
    t("Ask IT to exempt *.weixin.qq.com and *.work.weixin.qq.com from HTTPS inspection.",
      "请让 IT 部门将 *.weixin.qq.com 和 *.work.weixin.qq.com 排除在 HTTPS 检查之外。"))
TLS_INVALID_CERTIFICATE = _cause(
    "tls_invalid_certificate",
    t("The servers' security certificate is not trusted.", "服务器的安全证书不受信任。"),
    t("Check the date and time, and avoid public Wi-Fi that intercepts traffic.", "请检查日期和时间，并避免使用会拦截流量的公共 Wi-Fi。"))
HTTP_HIJACK = _cause(
    "http_hijack",
    t("Plain web traffic is hijacked on this network.", "此网络劫持了普通网页流量。"),
    t("Use another network, or ask the provider to stop the redirection.", "请换一个网络，或要求运营商停止劫持。"))
SERVICE_OUTAGE = _cause(
    "service_outage",
    t("WeChat/WeCom's servers are failing: the problem is on Tencent's side, not your network.",
      "微信/企业微信的服务器出现故障：问题在腾讯一方，不在您的网络。"),
    t("Wait a while and try again, or check Tencent's service status announcements.",
      "请稍等片刻再试，或查看腾讯的服务状态公告。"))
VPN_INTERFERENCE = _cause(
    "vpn_interference",
    t("A VPN or proxy tool interferes with the connection.", "VPN 或代理工具干扰了连接。"),
    t("Turn off the VPN, or let WeChat/WeCom bypass it.", "请关闭 VPN，或让微信/企业微信绕过它。"))
IPV6_BROKEN = _cause(
    "ipv6_broken",
    t("IPv6 is set up but does not work.", "IPv6 已启用但无法使用。"),
    t("Turn off IPv6 on the router or the network adapter, or ask the provider to fix it.",
      "请在路由器或网卡上关闭 IPv6，或联系运营商修复。"))
DISK_FULL = _cause(
    "disk_full",
    t("The disk is almost full.", "磁盘空间几乎已满。"),
    t("Free at least 1 GB of disk space.", "请至少释放 1 GB 磁盘空间。"))
CACHE_PERMISSION = _cause(
    "cache_permission",
    t("The client cannot write to its data folder.", "客户端无法写入其数据文件夹。"),
    t("Give your user account write access to the folder.", "请为当前用户授予该文件夹的写入权限。"))
CACHE_CORRUPT = _cause(
    "cache_corrupt",
    t("The client's local data is damaged.", "客户端的本地数据已损坏。"),
    t("Clear the client's cache (chat history is kept).", "请清理客户端缓存（聊天记录会保留）。"))
CLIENT_OUTDATED = _cause(
    "client_outdated",
    t("The client version is too old.", "客户端版本过旧。"),
    t("Update WeChat/WeCom to the latest version.", "请把微信/企业微信更新到最新版本。"))
SLOW_NETWORK = _cause(
    "slow_network",
    t("The network is slow or loses packets.", "网络较慢或存在丢包。"),
    t("Move closer to the Wi-Fi router or use a cable.", "请靠近 Wi-Fi 路由器或改用网线。"))
# A check warned or failed without naming a cause: never "healthy" because of that.
UNCLASSIFIED = _cause(
    "unclassified",
    t("A check found a problem (see its details).", "有检测项发现问题（请查看详情）。"),
    t("Open the details of the yellow or red checks and follow their advice.",
      "请展开黄色或红色的检测项，按其中的建议处理。"))

# ---- what a watch over minutes finds (checks/watch): drops that come and go ---------------
UNSTABLE_LOCAL_LINK = _cause(
    "unstable_local_link",
    t("The connection to your router (Wi-Fi or cable) drops at times.",
      "与路由器之间的连接（Wi-Fi 或网线）时断时续。"),
    t("Move closer to the Wi-Fi router or use a cable; restart the router if it keeps happening.",
      "请靠近 Wi-Fi 路由器或改用网线；如果一直这样，请重启路由器。"))
UNSTABLE_UPLINK = _cause(
    "unstable_uplink",
    t("Your internet line drops at times beyond the router.", "路由器之外的宽带线路时断时续。"),
    t("Restart the router and the optical modem; if it goes on, call your internet provider "
      "with the times in this report.",
      "请重启路由器和光猫；如果仍然如此，请带着本报告中的时间联系宽带运营商。"))
SERVERS_INTERMITTENT = _cause(
    "servers_intermittent",
    t("WeChat/WeCom's servers stopped answering at times while your network worked.",
      "网络正常时，微信/企业微信的服务器有时不响应。"),
    t("Ask IT whether a firewall or security gateway limits these connections, and give them "
      "the times in this report.",
      "请询问 IT 部门是否有防火墙或安全网关限制了这些连接，并提供本报告中的时间。"))
NETWORK_CHANGED = _cause(
    "network_changed",
    t("The computer switched networks during the watch.", "监测期间电脑切换了网络。"),
    t("Stay on one network: forget weak Wi-Fi networks this computer joins by itself.",
      "请固定使用一个网络：删除电脑会自动连接的信号较弱的 Wi-Fi。"))
DNS_SLOW = _cause(
    "dns_slow",
    t("DNS answers are slow at times.", "DNS 解析有时很慢。"),
    t("Change the DNS server to 119.29.29.29 or 223.5.5.5.", "请把 DNS 改为 119.29.29.29 或 223.5.5.5。"))


def cause_info(code: str) -> CauseInfo:
    return CAUSES.get(code) or CauseInfo(t(code, code), t("", ""))
