"""The top card: one big light, the one-sentence diagnosis, and the Start button."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.gui import strings as S
from app.gui import theme
from app.gui.widgets.card import Card
from app.gui.widgets.check_row import localized
from app.gui.widgets.light import LightIcon, status_label
from app.gui.widgets.plain import PlainLabel
from checks.shared.i18n import t


class ThinBar(QWidget):
    """A 4 px progress line in the accent colour (cheaper than a styled QProgressBar)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(4)
        self._value, self._maximum = 0, 1

    def setMaximum(self, maximum: int) -> None:  # noqa: N802 (QProgressBar-like)
        self._maximum = max(1, maximum)
        self.update()

    def setValue(self, value: int) -> None:  # noqa: N802
        if value != self._value:
            self._value = value
            self.update()

    def value(self) -> int:
        return self._value

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.mix(theme.card_bg(palette), palette.color(QPalette.ColorRole.WindowText), 0.1))
        painter.drawRoundedRect(self.rect(), 2, 2)
        done = self.width() * min(self._value, self._maximum) // self._maximum
        if done:
            painter.setBrush(theme.accent(palette))
            painter.drawRoundedRect(0, 0, done, self.height(), 2, 2)
        painter.end()


MAX_PROOF = 3  # measurement lines under the advice; the rest are in the details
EARLY_CAPTION = t("Most likely cause (the remaining checks are still running)",
                  "最可能的原因（其余检测项仍在进行）")

PRODUCTS = (("both", S.PRODUCT_BOTH), ("wecom", S.PRODUCT_WECOM), ("wechat", S.PRODUCT_WECHAT))


class SummaryCard(Card):
    start_clicked = Signal()
    cancel_clicked = Signal()
    fix_clicked = Signal()
    it_clicked = Signal()  # copy the text for the network administrator

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.light = LightIcon(64, self)
        self.light.set_state("idle")
        self.caption = PlainLabel(self)
        self.caption.setObjectName("caption")
        self.headline = PlainLabel(self)
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.headline.setFont(font)
        self.detail = PlainLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.proof = PlainLabel(self)  # what was measured, a few lines
        self.proof.setObjectName("muted")
        self.proof.setWordWrap(True)
        self.proof.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.also = PlainLabel(self)
        self.also.setObjectName("muted")
        self.also.setWordWrap(True)
        self.progress_text = PlainLabel(self)
        self.progress_text.setObjectName("progress")
        self.progress = ThinBar(self)
        self.progress.setVisible(False)

        self.product_label = PlainLabel(self)
        self.product_label.setObjectName("caption")
        self.product = QComboBox(self)
        for key, _ in PRODUCTS:
            self.product.addItem("", key)
        self.product_label.setBuddy(self.product)
        self.start_button = QPushButton(self)
        self.start_button.setObjectName("primary")
        self.start_button.setDefault(True)
        font = self.start_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.start_button.setFont(font)
        self.start_button.clicked.connect(self.start_clicked)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("secondary")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.fix_button = QPushButton(self)
        self.fix_button.setObjectName("fix")
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(self.fix_clicked)
        self.it_button = QPushButton(self)
        self.it_button.setObjectName("secondary")
        self.it_button.setVisible(False)
        self.it_button.clicked.connect(self.it_clicked)

        text = QVBoxLayout()
        text.setSpacing(4)
        for w in (self.caption, self.headline, self.detail, self.proof, self.also,
                  self.progress_text):
            text.addWidget(w)
        text.addStretch(1)
        side = QVBoxLayout()
        side.setSpacing(8)
        side.addWidget(self.product_label)
        side.addWidget(self.product)
        side.addSpacing(4)
        side.addWidget(self.start_button)
        side.addWidget(self.cancel_button)
        side.addWidget(self.fix_button)
        side.addWidget(self.it_button)
        side.addStretch(1)
        side_box = QWidget(self)
        side_box.setLayout(side)
        side_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.setSpacing(18)
        top.addWidget(self.light, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)
        top.addWidget(side_box, 0)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 14)
        outer.addLayout(top)
        outer.addWidget(self.progress)
        self.setTabOrder(self.product, self.start_button)
        self.setTabOrder(self.start_button, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.fix_button)
        self.setTabOrder(self.fix_button, self.it_button)
        self._fix_title: Any = None  # the primary fix's title, a Text

    # ---- controls ----------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.start_button.setVisible(not running)
        self.cancel_button.setVisible(running)
        self.product.setEnabled(not running)
        self.progress.setVisible(running)
        if running:
            self.fix_button.setVisible(False)
            self.it_button.setVisible(False)
            self.cancel_button.setFocus()
        else:
            self.start_button.setFocus()

    def retranslate_controls(self, lang: str, has_report: bool) -> None:
        self.product_label.setText(S.PRODUCT.render(lang))
        for i, (_, text) in enumerate(PRODUCTS):
            self.product.setItemText(i, text.render(lang))
        self.product.setAccessibleName(S.PRODUCT.render(lang))
        start = (S.START_AGAIN if has_report else S.START).render(lang)
        self.start_button.setText(start)
        self.start_button.setAccessibleName(start)
        self.start_button.setToolTip(S.START_TIP.render(lang))
        self.cancel_button.setText(S.CANCEL.render(lang))
        self.cancel_button.setAccessibleName(S.CANCEL.render(lang))
        self.cancel_button.setToolTip(S.CANCEL_TIP.render(lang))
        fix = (S.FIX_NAMED.with_params(title=self._fix_title) if self._fix_title is not None
               else S.FIX_PRIMARY).render(lang)
        self.fix_button.setText(fix)
        self.fix_button.setAccessibleName(fix)
        self.fix_button.setToolTip(S.FIX_TIP.render(lang))
        self.it_button.setText(S.COPY_FOR_IT.render(lang))
        self.it_button.setAccessibleName(S.COPY_FOR_IT.render(lang))
        self.it_button.setToolTip(S.COPY_FOR_IT_TIP.render(lang))

    # ---- states ------------------------------------------------------------------------
    def _set(self, state: str, caption: str, headline: str, detail: str, also: str, lang: str,
             proof: list[str] | None = None) -> None:
        self.light.set_state(state)
        name = S.render(S.OVERALL_NAME, lang, status=status_label(state).render(lang))
        self.light.setAccessibleName(name)
        self.light.setToolTip(status_label(state).render(lang))
        self.caption.setText(caption)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.also.setText(also)
        self.also.setVisible(bool(also))
        shown = (proof or [])[:MAX_PROOF]
        self.proof.setText("\n".join(f"• {line}" for line in shown))
        self.proof.setVisible(bool(shown))

    def show_idle(self, lang: str, deadline_s: float) -> None:
        self._set("idle", S.READY_CAPTION.render(lang), S.READY_HEADLINE.render(lang),
                  S.render(S.READY_DETAIL, lang, s=deadline_s), "", lang)
        self.progress_text.setText("")
        self.fix_button.setVisible(False)
        self.it_button.setVisible(False)

    def show_running(self, lang: str) -> None:
        self._set("running", S.RUNNING_CAPTION.render(lang), S.RUNNING_HEADLINE.render(lang), "", "", lang)

    def show_early(self, cause: dict[str, Any], lang: str) -> None:
        """A settled cause while the run goes on (see checks.diagnosis.early_verdict)."""
        advice = localized(cause, "advice", lang)
        detail = S.render(S.DO_THIS, lang, advice=advice) if advice else ""
        proof = localized(cause, "proof", lang)
        self._set(str(cause.get("status", "fail")), EARLY_CAPTION.render(lang),
                  localized(cause, "summary", lang), detail, "", lang,
                  proof.splitlines() if isinstance(proof, str) else [])

    def show_progress(self, lang: str, done: int, total: int, elapsed: float) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress_text.setText(S.render(S.PROGRESS, lang, n=done, m=total, s=elapsed))

    def show_message(self, lang: str, state: str, headline: str) -> None:
        self._set(state, "", headline, "", "", lang)

    def show_report(self, report: dict[str, Any], lang: str, note: str = "") -> None:
        """The report's headline as the core built it (checks.diagnosis.headline)."""
        from checks.report.rejudge import headline  # with a report, not with the window

        head = headline(report, lang)
        healthy = head.get("cause") == "healthy"
        caption = (S.RESULT_CAPTION_OK if healthy else S.RESULT_CAPTION_CAUSE).render(lang)
        advice = str(head.get("advice") or "")
        detail = S.render(S.DO_THIS, lang, advice=advice) if advice else ""
        sep = "；" if lang == "zh" else "; "
        others = [str(o).rstrip("。.") for o in head.get("also") or []]
        also = S.render(S.ALSO_FOUND, lang, items=sep.join(others)) if others else ""
        title, proof = str(head.get("summary") or ""), list(head.get("proof") or [])
        cancelled = bool(report.get("cancelled"))
        if cancelled:
            caption = S.RESULT_CAPTION_OK.render(lang)
            title, detail, proof = S.CANCELLED_HEADLINE.render(lang), "", []
        fixes = list(head.get("fixes") or [])
        self._fix_title = _fix_title(fixes[0]) if fixes else None
        self.retranslate_controls(lang, True)
        self._set(str(report.get("status", "error")), caption, title, detail, also, lang, proof)
        finished = S.render(S.FINISHED_IN, lang, s=float(report.get("duration_s", 0.0)))
        self.progress_text.setText(" · ".join(p for p in (note, finished) if p))
        self.fix_button.setVisible(bool(fixes) and not cancelled)
        self.it_button.setVisible(bool(head.get("for_it")) and not cancelled)


def _fix_title(fix_id: str) -> Any:
    from checks.fixes import get_fix

    try:
        return get_fix(fix_id).title
    except KeyError:
        return None
