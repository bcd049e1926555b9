"""One check: light, title, summary, a fix button, and an expandable detail."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import strings as S
from app.gui import theme
from app.gui.widgets.light import Light
from app.gui.widgets.plain import PlainLabel
from checks.engine.results import Status
from checks.shared.i18n import t

if TYPE_CHECKING:  # built when a row first opens its details (it loads the evidence views)
    from app.gui.widgets.evidence_table import EvidenceTable

COPY_RAW = t("Copy raw evidence", "复制原始数据")
COPY_RAW_TIP = t("Copy what was measured as JSON, exactly as the report holds it (for IT)",
                 "以 JSON 格式复制检测数据，与报告中完全一致（供 IT 人员使用）")


def localized(item: dict[str, Any], key: str, lang: str) -> str:
    """A report entry in `lang`, falling back to the language it was written in."""
    value = item.get("i18n", {}).get(lang, {}).get(key)
    return str(value) if value is not None else str(item.get(key, "") or "")


_WIDTHS: dict[tuple[str, str], int] = {}
_UNSET = object()


def _label_width(label: QLabel, lang: str) -> int:
    """The widest status word, so titles line up in every row of a language."""
    from app.gui.widgets.light import ICONS, status_label

    key = (lang, label.font().key())
    if key not in _WIDTHS:
        metrics = QFontMetrics(label.font())
        _WIDTHS[key] = max(metrics.horizontalAdvance(status_label(s).render(lang)) for s in ICONS) + 4
    return _WIDTHS[key]


class CheckRow(QFrame):
    fix_requested = Signal(str)  # check id

    def __init__(self, check_id: str, titles: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("row")
        # A 1 px line above every row but a card's first (a widget, not a Python paint).
        self.separator = QFrame(self)
        self.separator.setObjectName("separator")
        self.separator.setFixedHeight(1)
        self.separator.setAutoFillBackground(True)
        self.check_id = check_id
        self.titles = titles  # {"zh": ..., "en": ...} known before the check runs
        self.item: dict[str, Any] | None = None
        self.state = "pending"
        self.lang = "en"
        self._table: EvidenceTable | None = None
        self.fix_allowed = True  # off during a run: a fix plans from the finished report
        self._shown: dict[str, Any] = {}  # what retranslate last gave each widget

        self.light = Light(22, parent=self)
        self.title = PlainLabel(self)
        self.title.setObjectName("checkTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.summary = PlainLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.fix_button = QPushButton(self)
        self.fix_button.setObjectName("fix")
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(lambda: self.fix_requested.emit(self.check_id))
        self.details_button = QToolButton(self)
        self.details_button.setObjectName("details")
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.details_button.toggled.connect(self.set_expanded)
        self.details_button.setEnabled(False)

        self.detail = QWidget(self)
        self.detail.setVisible(False)
        self.advice_caption = PlainLabel(self.detail)
        self.advice_caption.setObjectName("caption")
        self.advice = PlainLabel(self.detail)
        self.advice.setWordWrap(True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence_caption = PlainLabel(self.detail)
        self.evidence_caption.setObjectName("caption")
        self.copy_raw_button = QPushButton(self.detail)
        self.copy_raw_button.setObjectName("copyRaw")
        self.copy_raw_button.setFlat(True)
        self.copy_raw_button.clicked.connect(self.copy_raw_evidence)
        self.detail_layout = QVBoxLayout(self.detail)
        self.detail_layout.setContentsMargins(0, 4, 0, 4)
        self.detail_layout.setSpacing(4)
        for w in (self.advice_caption, self.advice, self.evidence_caption):
            self.detail_layout.addWidget(w)

        text_box = QVBoxLayout()
        text_box.setSpacing(2)
        text_box.addWidget(self.title)
        text_box.addWidget(self.summary)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.details_button)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 0, 14, 0)
        outer.setSpacing(0)
        outer.addWidget(self.separator)
        grid = QGridLayout()
        outer.addLayout(grid)
        grid.setContentsMargins(0, 10, 0, 10)
        grid.setHorizontalSpacing(12)
        grid.addWidget(self.light, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(text_box, 0, 1)
        grid.addLayout(buttons, 0, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.detail, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        self.details_button.setAutoRaise(True)
        theme.style_tree(self)
        self.retranslate("en")

    @property
    def first(self) -> bool:
        return self.separator.isHidden()

    @first.setter
    def first(self, value: bool) -> None:
        self.separator.setVisible(not value)

    # ---- state -------------------------------------------------------------------------
    def set_pending(self) -> None:
        if self.item is None and self.state == "pending":
            return
        self.item, self.state = None, "pending"
        self.details_button.setChecked(False)
        self.retranslate(self.lang)

    def set_running(self) -> None:
        if self.item is None:
            self.state = "running"
            self.retranslate(self.lang)

    def set_result(self, item: dict[str, Any]) -> None:
        # The evidence table stays: an open row refills it now (retranslate), a closed
        # one when it opens (_fill_detail), so one table always shows this result.
        self.item, self.state = item, str(item.get("status", "error"))
        self.retranslate(self.lang)

    def allow_fix(self, allowed: bool) -> None:
        if allowed != self.fix_allowed:
            self.fix_allowed = allowed
            self.retranslate(self.lang)

    @property
    def fixes(self) -> list[str]:
        return list(self.item.get("fixes", [])) if self.item else []

    # ---- rendering ---------------------------------------------------------------------
    def title_text(self, lang: str) -> str:
        if self.item is not None:
            return localized(self.item, "title", lang)
        return self.titles.get(lang) or self.titles.get("en") or self.check_id

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        title = self.title_text(lang)
        self.light.set_state(self.state, lang, title)
        if self.item is None:
            summary = (S.RUNNING_SUMMARY if self.state == "running" else S.WAITING_SUMMARY).render(lang)
        else:
            summary = localized(self.item, "summary", lang)
        show_fix = (self.fix_allowed and bool(self.fixes)
                    and self.state in (Status.FAIL.value, Status.WARN.value))
        expanded = self.details_button.isChecked()
        # Only what changed reaches Qt: during a run the GUI thread competes with the
        # check threads for the interpreter, and most of a row stays the same.
        self._apply("title", title, self.title.setText)
        if self._shown.get("width_lang") != lang:  # a font lookup is slow while checks run
            self._shown["width_lang"] = lang
            self.light.text.setFixedWidth(_label_width(self.light.text, lang))
        self._apply("summary", summary, self.summary.setText)
        self._apply("show_fix", show_fix, self.fix_button.setVisible)
        self._apply("fix", S.FIX.render(lang), self.fix_button.setText)
        self._apply("fix_tip", S.FIX_TIP.render(lang), self.fix_button.setToolTip)
        self._apply("fix_name", f"{S.FIX.render(lang)} {title}", self.fix_button.setAccessibleName)
        self._apply("details_enabled", self.item is not None, self.details_button.setEnabled)
        self._apply("details", (S.HIDE_DETAILS if expanded else S.DETAILS).render(lang),
                    self.details_button.setText)
        self._apply("details_tip", S.DETAILS_TIP.render(lang), self.details_button.setToolTip)
        self._apply("details_name", f"{S.DETAILS.render(lang)} {title}",
                    self.details_button.setAccessibleName)
        if expanded:
            self._fill_detail()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._shown.pop("width_lang", None):
            self.retranslate(self.lang)

    def _apply(self, key: str, value: Any, setter: Any) -> None:
        if self._shown.get(key, _UNSET) != value:
            self._shown[key] = value
            setter(value)

    def set_expanded(self, expanded: bool) -> None:
        if expanded and self.item is None:
            self.details_button.setChecked(False)
            return
        if self.details_button.isChecked() != expanded:
            self.details_button.setChecked(expanded)  # re-enters through toggled
            return
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._apply("details", (S.HIDE_DETAILS if expanded else S.DETAILS).render(self.lang),
                    self.details_button.setText)
        if expanded:
            self._fill_detail()
        self.detail.setVisible(expanded)

    def is_expanded(self) -> bool:
        return self.detail.isVisible() or (self.details_button.isChecked() and self.item is not None)

    def evidence_table(self) -> EvidenceTable | None:
        return self._table

    def _fill_detail(self) -> None:
        if self.item is None:
            return
        lang = self.lang
        advice = localized(self.item, "advice", lang)
        self.advice_caption.setText(S.ADVICE.render(lang))
        self.advice.setText(advice)
        self.advice_caption.setVisible(bool(advice))
        self.advice.setVisible(bool(advice))
        self.evidence_caption.setText(S.EVIDENCE.render(lang))
        self.copy_raw_button.setText(COPY_RAW.render(lang))
        self.copy_raw_button.setToolTip(COPY_RAW_TIP.render(lang))
        if self._table is None:
            from app.gui.widgets.evidence_table import EvidenceTable

            self._table = EvidenceTable(self.detail)
            self.detail_layout.addWidget(self._table)
            self.detail_layout.addWidget(self.copy_raw_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._table.set_evidence(self.item, lang)

    def raw_evidence(self) -> str:
        """The measured data exactly as the JSON report holds it."""
        evidence = self.item.get("evidence", {}) if self.item else {}
        return json.dumps(evidence, ensure_ascii=False, indent=2)

    def copy_raw_evidence(self) -> None:
        QApplication.clipboard().setText(self.raw_evidence())
