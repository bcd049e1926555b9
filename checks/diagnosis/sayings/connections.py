"""Connections to the servers: which servers, addresses and ports are blocked and how,
IPv6 that does not work, big packets that vanish, rewritten web traffic, loss."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from checks.diagnosis.facts import Connect, Facts
from checks.diagnosis.sayings.base import FAILURE_HOW, Finding, Said, listed, says
from checks.engine import check_ids, codes, fix_ids
from checks.report import words as w
from checks.shared.i18n import Text, t

ASK_IT = t("Send the text from \"Copy for IT\" to your network administrator: it lists the "
           "servers and ports to allow. On a home network, restart the router and check the "
           "firewall of any security program on this computer.",
           "请用“复制给网管”把情况发给网络管理员，其中列出了需要放行的服务器和端口。"
           "如果是家庭网络，请重启路由器，并检查电脑上安全软件的防火墙设置。")

TLS_CUT = {codes.TLS_RESET, codes.TLS_EOF, codes.TLS_HANDSHAKE_TIMEOUT}


def host_port(host: str, port: int | None) -> str:
    """`login.example:443`, `[2408:8000::8]:443`: an IPv6 address keeps its brackets, so the
    port cannot be read as part of it."""
    if not port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def target(c: Connect) -> Text:
    where = host_port(c.host, c.port)
    return t("{where} ({address})", "{where}（{address}）", where=where, address=c.address) \
        if c.address and c.address != c.host else t("{where}", "{where}", where=where)


def connect_line(c: Connect) -> Text:
    if c.failure == codes.TCP_TIMEOUT:
        waited = t(" in {time}", "（等待了 {time}）", time=w.ms(c.ms)) if c.ms is not None \
            else t("", "")
        return t("{target}: no answer{waited}, the packets are dropped on the way",
                 "{target}：没有任何应答{waited}，数据包在途中被丢弃", target=target(c), waited=waited)
    return t("{target}: connections {how}", "{target}：连接{how}", target=target(c),
             how=FAILURE_HOW.get(c.failure or "", w.failure(c.failure)))


def blocked(facts: Facts) -> list[Connect]:
    return [c for c in facts.connects() if not c.ok]


def _how(failed: list[Connect]) -> Text:
    counts = Counter(c.failure for c in failed)
    return FAILURE_HOW.get(counts.most_common(1)[0][0] or "", t("fail", "失败"))


def security_programs(facts: Facts) -> list[str]:
    found = facts.evidence(check_ids.SECURITY_SOFTWARE).get("found")
    return [str(f.get("label") or f.get("name")) for f in found or [] if isinstance(f, Mapping)]


@says(codes.TCP_BLOCKED)
def tcp_blocked(finding: Finding, facts: Facts) -> Said | None:
    failed = blocked(facts)
    if not failed:
        return _handshake_blocked(facts)
    hosts = [c.host for c in failed]
    ports = sorted({c.port for c in failed if c.port})
    working = [c for c in facts.connects() if c.ok]
    summary = t("Connections to {hosts} on port {ports} {how}: a firewall between this "
                "computer and Tencent's servers blocks them.",
                "到 {hosts} 的 {ports} 端口的连接{how}：这台电脑与腾讯服务器之间有防火墙拦截。",
                hosts=listed(hosts), ports=listed(ports), how=_how(failed))
    proof = []
    if working:
        proof.append(t("Other connections work ({working}): the network itself is up.",
                       "其他连接正常（{working}）：网络本身是通的。",
                       working=listed([host_port(c.host, c.port) for c in working], 2)))
    proof += [connect_line(c) for c in failed[:4]]
    programs = security_programs(facts)
    if programs:
        proof.append(t("Security software running: {names} (its firewall may be the one)",
                       "正在运行的安全软件：{names}（也可能是它的防火墙在拦截）",
                       names=listed(programs, 2)))
    return Said(summary, ASK_IT, tuple(proof), fixes=(), for_it=True)


def _handshake_blocked(facts: Facts) -> Said | None:
    """Connections open, but the secure handshake is cut off or never answered: a filter
    that looks at the server name (SNI) or a path that drops big packets."""
    cut = [p for p in facts.tls_probes() if p.get("failure") in TLS_CUT]
    if not cut:
        return None
    hosts = [str(p.get("host")) for p in cut]
    how = (t("gets no answer", "没有应答") if all(p.get("failure") == codes.TLS_HANDSHAKE_TIMEOUT
                                               for p in cut) else t("is cut off", "被强行中断"))
    proof = tuple(t("{host}:{port} ({address}): the connection opens, the secure handshake {how}",
                    "{host}:{port}（{address}）：连接能建立，但安全握手{how}",
                    host=p.get("host"), port=p.get("port") or 443, address=p.get("address"),
                    how=how) for p in cut[:4])
    return Said(
        t("Connections to {hosts} open, but the secure handshake {how}: a firewall filters "
          "these servers by name.",
          "到 {hosts} 的连接能建立，但安全握手{how}：有防火墙按服务器名称过滤了这些连接。",
          hosts=listed(hosts), how=how),
        ASK_IT, proof, fixes=(), for_it=True)


# How one address (or several) failed, singular and plural.
_ADDRESS_HOW = {
    codes.TCP_TIMEOUT: (t("does not answer", "没有应答"), t("do not answer", "没有应答")),
    codes.TCP_REFUSED: (t("refuses connections", "拒绝连接"), t("refuse connections", "拒绝连接")),
    codes.TCP_RESET: (t("cuts connections off", "强行中断连接"), t("cut connections off", "强行中断连接")),
    codes.TCP_UNREACHABLE: (t("is reported unreachable", "被告知无法到达"),
                            t("are reported unreachable", "被告知无法到达")),
}


def _family(address: str | None) -> str:
    return "ipv6" if ":" in (address or "") else "ipv4"


@says(codes.ADDRESS_BLOCKED)
def address_blocked(finding: Finding, facts: Facts) -> Said | None:
    dead = facts.dead_addresses()
    if not dead:
        return None
    first = dead[0]
    mine = [c for c in dead if c.host == first.host and c.port == first.port]
    same = [c for c in facts.address_connects(first.host)
            if c.port == first.port and _family(c.address) == _family(first.address)]
    working = [c for c in same if c.ok]
    if not working:
        return None
    common = Counter(c.failure for c in mine).most_common(1)[0][0] or ""
    one, many = _ADDRESS_HOW.get(common, (t("fails", "连不上"), t("fail", "连不上")))
    summary = t("{dead} of {total} addresses of {host} {how} on port {port} ({addresses}), "
                "while {working} works: usually a firewall that lets Tencent's servers through "
                "by a list of addresses that has gone out of date, instead of by their domains.",
                "{host} 的 {total} 个地址中有 {dead} 个在 {port} 端口{how}（{addresses}），而 "
                "{working} 正常：通常是防火墙按一份过时的地址名单放行腾讯服务器，而不是按域名放行。",
                dead=len(mine), total=len(same), host=first.host, port=first.port,
                how=one if len(mine) == 1 else many,
                addresses=listed([c.address for c in mine]),
                working=listed([c.address for c in working], 2))
    others = sorted({c.host for c in dead} - {first.host})
    if others:
        summary = t("{summary} The same holds for {others}.", "{summary}{others} 也是如此。",
                    summary=summary, others=listed(others))
    advice = t("Send the text from \"Copy for IT\" to your network administrator and ask them "
               "to allow {host} by its domain rather than by addresses, which Tencent changes. "
               "Until then WeChat/WeCom may take long to connect or fail now and then.",
               "请用“复制给网管”把情况发给网络管理员，请他按域名放行 {host}，而不是按地址放行，"
               "因为腾讯的服务器地址会变化。在此之前，微信/企业微信可能连接很慢或时常失败。",
               host=listed([first.host, *others]))
    proof = [connect_line(c) for c in dead[:4]]
    proof += [t("{target}: connects in {time}", "{target}：{time} 内连上", target=target(c),
                time=w.ms(c.ms)) for c in working[:2]]
    return Said(summary, advice, tuple(proof), fixes=(), for_it=True)


@says(codes.IPV6_BROKEN)
def ipv6_broken(finding: Finding, facts: Facts) -> Said | None:
    v6 = facts.evidence(check_ids.TCP).get("ipv6") or []
    failed = [p for p in v6 if isinstance(p, Mapping) and not p.get("ok")]
    if not failed:
        return None
    hosts = [str(p.get("host")) for p in failed]
    return Said(
        t("IPv6 connections to {hosts} get no answer while IPv4 works: this network hands out "
          "IPv6 addresses but does not carry IPv6 traffic, so every login waits for it first.",
          "到 {hosts} 的 IPv6 连接没有应答，而 IPv4 正常：网络分配了 IPv6 地址却不能传输 IPv6 流量，"
          "每次登录都要先白白等待。", hosts=listed(hosts)),
        t("Turn off IPv6 on the router (or on this computer's network adapter), or ask your "
          "internet provider to fix IPv6.",
          "请在路由器（或这台电脑的网卡）上关闭 IPv6，或联系网络运营商修复 IPv6。"),
        tuple(t("{host}:{port} ({address}): no answer over IPv6",
                "{host}:{port}（{address}）：IPv6 无应答",
                host=p.get("host"), port=p.get("port"), address=p.get("address"))
              for p in failed[:3]),
        fixes=())


@says(codes.PMTU_BLACKHOLE)
def pmtu_blackhole(finding: Finding, facts: Facts) -> Said | None:
    mtu = facts.evidence(check_ids.MTU)
    path, adapter, size = mtu.get("path_mtu"), mtu.get("interface"), mtu.get("interface_mtu")
    if not isinstance(path, int):
        return None
    sent = t("{adapter} sends packets of up to {size} bytes", "网卡 {adapter} 发送的数据包最大 {size} 字节",
             adapter=adapter, size=size) if adapter and size else \
        t("this computer sends bigger ones", "这台电脑发送的数据包更大")
    return Said(
        t("Big packets vanish on the way to {target}: the path passes at most {path} bytes, but "
          "{sent}, so secure handshakes stall.",
          "发往 {target} 的大数据包在途中消失：线路最多只能通过 {path} 字节，而{sent}，安全握手因此卡住。",
          target=mtu.get("target") or "?", path=path, sent=sent),
        t("Press Fix to lower {adapter}'s packet size (MTU) to {path} bytes; undo puts {size} "
          "back.", "请按“修复”把网卡 {adapter} 的数据包大小（MTU）调低到 {path} 字节；撤销会恢复为 {size}。",
          adapter=adapter or "?", path=path, size=size or "?") if adapter else
        t("Lower the network adapter's packet size (MTU) to {path} bytes.",
          "请把网卡的数据包大小（MTU）调低到 {path} 字节。", path=path),
        (t("Largest packet that passes: {path} bytes", "能通过的最大数据包：{path} 字节", path=path),),
        fixes=(fix_ids.SET_MTU,))


@says(codes.HTTP_HIJACK)
def http_hijack(finding: Finding, facts: Facts) -> Said | None:
    hijacked = {p.host for p in facts.problems(check_ids.HTTP_HIJACK) if p.host}
    probes = [p for p in facts.evidence(check_ids.HTTP_HIJACK).get("probes") or []
              if isinstance(p, Mapping) and p.get("host") in hijacked]
    if not probes:
        return None
    first = probes[0]
    where = (t("redirected to {location}", "被重定向到 {location}", location=first["location"])
             if first.get("location") else t("answered with another page", "被换成了别的网页"))
    return Said(
        t("Plain web requests to {hosts} are {where}: this network rewrites unencrypted traffic, "
          "which breaks WeChat's links over port 80.",
          "发往 {hosts} 的普通网页请求{where}：这个网络篡改了未加密的流量，会导致微信经 80 端口的连接失败。",
          hosts=listed(sorted(hijacked)), where=where),
        t("Use another network (for example a phone hotspot) to confirm; then ask the network's "
          "administrator or your internet provider to stop redirecting these requests.",
          "可先换一个网络（例如手机热点）确认；再请网络管理员或网络运营商停止重定向这些请求。"),
        fixes=(), for_it=True)


@says(codes.SLOW_NETWORK)
def slow_network(finding: Finding, facts: Facts) -> Said | None:
    latency = facts.evidence(check_ids.LATENCY)
    loss = w.sub(latency, "loss")
    series = [s for s in latency.get("series") or [] if isinstance(s, Mapping)]
    medians = [(s.get("summary") or {}).get("median_ms") for s in series]
    known = [m for m in medians if isinstance(m, (int, float))]
    lost, sent = loss.get("lost"), loss.get("sent")
    if isinstance(lost, int) and isinstance(sent, int) and sent and lost:
        summary = t("{lost} of {sent} test exchanges lost a packet ({pct}%): logging in is slow "
                    "and drops now and then, though the servers are reachable.",
                    "{sent} 次测试交互中有 {lost} 次丢包（{pct}%）：服务器能连上，但登录缓慢且时常中断。",
                    lost=lost, sent=sent, pct=f"{loss.get('pct') or 0:.0f}")
    elif known:
        summary = t("The servers answer slowly: connecting takes {time} (median).",
                    "服务器响应缓慢：建立连接的中位时间为 {time}。", time=w.ms(max(known)))
    else:
        return None
    return Said(
        summary,
        t("On Wi-Fi, move closer to the router or use a cable; if the cable is slow too, restart "
          "the router and, if it goes on, call your internet provider.",
          "如果使用 Wi-Fi，请靠近路由器或改用网线；如果网线也慢，请重启路由器，仍不行请联系网络运营商。"),
        fixes=())
