"""What the DNS fix may set: back to the servers the network hands out, or one of three
public services, and which of them to recommend for the server that failed.

The services are this module's own list: the elevated helper is told only a choice's
id and looks the addresses up here, so nothing a person's program writes into the
journal can make it set another server. Which one is recommended follows the kind of
server that failed (checks.diagnosis.resolvers), as the advice does: a service set by
hand goes back to automatic when the network hands out servers; the router's or the
provider's server is replaced by a public service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checks.diagnosis.facts import Facts
from checks.diagnosis.resolvers import PROVIDER, ROUTER, classify
from checks.engine.results import CheckResult, Problem, Status
from checks.fixes.actions import FixError
from checks.fixes.dns_adapter import NETSH, NETWORKSETUP_METHOD, NM, DnsSetting
from checks.fixes.fix import Choice
from checks.shared.i18n import Text, t

AUTOMATIC = "automatic"


@dataclass(frozen=True)
class Service:
    id: str
    name: Text
    servers: tuple[str, ...]


SERVICES = (
    Service("alidns", t("AliDNS", "阿里 DNS"), ("223.5.5.5", "223.6.6.6")),
    Service("dnspod", t("Tencent DNSPod", "腾讯 DNSPod"), ("119.29.29.29", "182.254.116.116")),
    Service("114dns", t("114DNS", "114DNS"), ("114.114.114.114", "114.114.115.115")),
)
BY_ID = {s.id: s for s in SERVICES}
ALL_ADDRESSES = frozenset(a for s in SERVICES for a in s.servers)

AUTOMATIC_LABEL = t("Automatic: the servers this network hands out",
                    "自动获取：使用本网络分配的服务器")
SERVICE_LABEL = t("{name}: {servers}", "{name}：{servers}")
RECOMMENDED = t("{label} (recommended)", "{label}（推荐）")


def servers_for(choice: object) -> list[str]:
    """The servers a choice sets ([] = automatic), from this module's own list only."""
    if choice == AUTOMATIC:
        return []
    service = BY_ID.get(choice) if isinstance(choice, str) else None
    if service is None:
        raise FixError(t("“{choice}” is not a DNS service this fix sets.",
                         "“{choice}”不是此修复会设置的 DNS 服务。", choice=str(choice)))
    return list(service.servers)


def choice_words(choice: str) -> Text:
    """A choice as the plan's sentences name it."""
    if choice == AUTOMATIC:
        return t("automatic (the servers the network hands out)", "自动获取（由网络分配）")
    service = BY_ID[choice]
    return t("{name} ({servers})", "{name}（{servers}）", name=service.name,
             servers=list(service.servers))


def offered(setting: DnsSetting, failing: Iterable[str], kind: str | None) -> list[Choice]:
    """The choices here, the recommended one first: automatic where the servers were set
    by hand and the network hands out its own (first, unless the router's or the
    provider's server is the one failing); the public services that are not what is
    set now and not the one failing."""
    failed = set(failing)
    automatic = (setting.hand_set and setting.dhcp
                 and setting.method in (NETSH, NETWORKSETUP_METHOD, NM))
    public = [s for s in SERVICES
              if list(s.servers) != list(setting.static) and not failed & set(s.servers)]
    ids = [s.id for s in public]
    if automatic:
        ids = [AUTOMATIC, *ids] if kind not in (ROUTER, PROVIDER) else [*ids, AUTOMATIC]
    choices = []
    for number, choice in enumerate(ids):
        label = AUTOMATIC_LABEL if choice == AUTOMATIC else SERVICE_LABEL.with_params(
            name=BY_ID[choice].name, servers=list(BY_ID[choice].servers))
        choices.append(Choice(choice, RECOMMENDED.with_params(label=label) if number == 0
                              else label))
    return choices


# ---- which server failed, from the run the fix plans from ----------------------------------

def facts_of(report: dict[str, Any] | None) -> Facts:
    """The run's facts from a report's check entries (what the diagnosis reads)."""
    results = []
    for item in (report or {}).get("checks", []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        try:
            status = Status(item.get("status"))
        except ValueError:
            status = Status.ERROR
        problems = tuple(Problem(str(p.get("code")), p.get("host"), p.get("port"), p.get("address"))
                         for p in item.get("problems") or [] if isinstance(p, dict))
        evidence = item.get("evidence")
        results.append(CheckResult(item["id"], t("", ""), "", status, t("", ""),
                                   evidence=evidence if isinstance(evidence, dict) else {},
                                   problems=problems))
    return Facts(results)


def failing_servers(facts: Facts) -> list[str]:
    """The configured DNS servers that failed a name; else (a server that answered, but
    wrongly or slowly) the first configured one."""
    configured = facts.dns_servers()
    failed = {a.server for a in facts.server_answers() if a.error}
    return [s for s in configured if s in failed] or configured[:1]


def failing_kind(facts: Facts, servers: list[str]) -> str | None:
    """Whose the first failing server is (checks.diagnosis.resolvers), None if unknown."""
    return classify(servers[0], facts).kind if servers else None
