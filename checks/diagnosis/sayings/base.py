"""What a saying gets and gives: the correlated finding, and the sentences built for it.

A saying turns one cause, found by the correlation, into what a good technician would
say after looking at the same measurements: the specific server, address, port, proxy,
offset or certificate issuer, what it means, and what to do about that kind of thing.
Each reads the run's facts (checks.diagnosis.facts) and returns None when the evidence
it needs is not there; the cause then keeps its general sentence (checks.engine.codes),
never a wrong specific one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checks.diagnosis.facts import Facts
from checks.shared.i18n import Text, t


@dataclass(frozen=True)
class Finding:
    """One cause as the correlation found it."""

    code: str
    status: str  # "fail" or "warn"
    because: tuple[str, ...]  # check ids whose findings point at it
    explains: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()  # the fixes those checks offered


class Sentence(Text):
    """A sentence that may begin with a parameter ("the DNS server of ..."): an English
    one begins with a capital, unless it begins with a name (a host, an address)."""

    def render(self, lang: str) -> str:
        text = super().render(lang)
        first = text.split(" ", 1)[0]
        if lang != "en" or not first.isalpha() or not first.islower():
            return text
        return text[:1].upper() + text[1:]


def sentence(text: Text) -> Text:
    return Sentence(text.en, text.zh, text.params)


@dataclass(frozen=True)
class Said:
    summary: Text
    advice: Text
    proof: tuple[Text, ...] = ()  # the measurements it rests on, in words
    # The fixes that do what the advice says, the one for this cause first; None keeps
    # what the checks offered, () offers none (a button must never do something else).
    fixes: tuple[str, ...] | None = None
    for_it: bool = False  # the network's administrator is the one who can act


Saying = Callable[[Finding, Facts], Said | None]
SAYINGS: dict[str, Saying] = {}


def says(*codes: str) -> Callable[[Saying], Saying]:
    def register(saying: Saying) -> Saying:
        for code in codes:
            SAYINGS[code] = saying
        return saying
    return register


# ---- small pieces every saying uses -------------------------------------------------------

AND_MORE = t("{items} and {n} more", "{items} 等 {total} 个")


def _key(item: object) -> object:
    return tuple(item.both().values()) if isinstance(item, Text) else item


def listed(items: Sequence[object], limit: int = 3, joined: bool = False) -> Text:
    """`a, b and 2 more` / `a、b 等 4 个`: names a person can take in at a glance;
    `joined`: the last of a whole list after "and" (`a, b and c` / `a、b 和 c`)."""
    seen: set[object] = set()
    unique = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            unique.append(item)
    shown = unique[:limit]
    if len(unique) <= limit:
        if joined and len(shown) > 1:
            return t("{head} and {last}", "{head}和{last}", head=shown[:-1], last=shown[-1])
        return t("{items}", "{items}", items=shown)
    return AND_MORE.with_params(items=shown, n=len(unique) - limit, total=len(unique))


FAILURE_HOW = {
    "tcp_timeout": t("get no answer", "没有任何应答"),
    "tcp_refused": t("are refused", "被拒绝"),
    "tcp_reset": t("are cut off (reset)", "被强行中断（重置）"),
    "tcp_unreachable": t("are reported unreachable", "被告知无法到达"),
}
