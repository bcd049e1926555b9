"""A fix that offers choices: the session plans the recommended one unless told
otherwise, refuses one it does not offer, plans again for another; the terminal
preview lists them with the option that picks each."""

from __future__ import annotations

from typing import Any

from checks.fixes import FixEnv
from checks.fixes.actions import Action, Plan, Step
from checks.fixes.fix import Choice, Fix
from checks.fixes.preview import preview_lines, preview_text
from checks.fixes.session import FixSession
from checks.shared.i18n import t


class Pick(Fix):
    id = "pick"
    title = t("Pick one", "选一个")

    def choices(self, env: FixEnv) -> list[Choice]:
        return [Choice("a", t("Option A (recommended)", "甲（推荐）")), Choice("b", t("Option B", "乙"))]

    def plan(self, env: FixEnv) -> Plan:
        return Plan(self.id, t("Do {c}.", "做{c}。", c=env.choice), env=env,
                    actions=[Action("run", t("x", "x"), argv=["true"], data={"choice": env.choice})])

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        pass


def session(config: Any) -> FixSession:
    def registry(fix_id: str) -> Fix:
        if fix_id != "pick":
            raise KeyError(fix_id)
        return Pick()

    return FixSession(config, {"checks": []}, registry=registry)


def test_the_recommended_choice_is_planned_unless_another_is_picked(config: Any) -> None:
    (planned,) = session(config).plan(["pick"])
    assert (planned.choice, [c.id for c in planned.choices]) == ("a", ["a", "b"])
    assert planned.plan is not None and planned.plan.summary.render("en") == "Do a."
    assert planned.plan.actions[0].data["choice"] == "a"
    (other,) = session(config).plan(["pick"], {"pick": "b"})
    assert other.choice == "b" and other.plan is not None
    assert other.plan.summary.render("en") == "Do b."


def test_a_choice_the_fix_does_not_offer_is_refused(config: Any) -> None:
    (planned,) = session(config).plan(["pick"], {"pick": "c"})
    assert planned.plan is None and not planned.runnable
    assert planned.problem is not None
    assert planned.problem.render("en") == "“c” is not one of this fix's choices here (a, b)."


def test_replan_plans_the_same_fix_for_another_choice(config: Any) -> None:
    fixes = session(config)
    (planned,) = fixes.plan(["pick"])
    again = fixes.replan(planned, "b")
    assert again.plan is not None and again.plan.summary.render("en") == "Do b."


def test_the_terminal_preview_names_each_choice_and_its_option(config: Any) -> None:
    (planned,) = session(config).plan(["pick"], {"pick": "b"})
    text = preview_text(planned, "en")
    assert "  > Or: Option A (recommended) (--choice a)\n" in text
    assert "  > Chosen: Option B (--choice b)\n" in text
    assert text.index("Do b.") < text.index("Chosen")  # under the summary
    # The window shows a choice box instead: its preview lines carry no choice lines.
    assert all(kind != "choice" for kind, _ in preview_lines(planned, "en"))
