"""Colours derived from the current QPalette, so light and dark system themes both work.

Status colours start from a calm base hue and are darkened or lightened until they
reach a contrast ratio against the window background (WCAG: 4.5:1 for text-sized
marks), so a traffic light stays readable in either palette.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# Base hues (light theme first choice, dark theme first choice).
_BASE = {
    "ok": ("#1a7f37", "#3fb950"),
    "info": ("#0969da", "#58a6ff"),
    "warn": ("#9a6700", "#d29922"),
    "fail": ("#cf222e", "#f85149"),
    "skipped": ("#6e7781", "#8b949e"),
    "error": ("#6e7781", "#8b949e"),
    "pending": ("#6e7781", "#8b949e"),
    "running": ("#0969da", "#58a6ff"),
    "idle": ("#07a35a", "#2dbd6e"),
}
ACCENT = ("#08854a", "#2dbd6e")  # WeChat-like green; the light one carries white text at 4.5:1
MIN_CONTRAST = 4.5


def _channel(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    return 0.2126 * _channel(color.red()) + 0.7152 * _channel(color.green()) + 0.0722 * _channel(color.blue())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_dark(palette: QPalette) -> bool:
    return luminance(palette.color(QPalette.ColorRole.Window)) < 0.4


def ensure_contrast(color: QColor, background: QColor, ratio: float = MIN_CONTRAST) -> QColor:
    """Move `color` away from the background's lightness until the ratio is met."""
    result = QColor(color)
    darken = luminance(background) >= 0.4
    for _ in range(40):
        if contrast(result, background) >= ratio:
            break
        hsva: tuple[float, float, float, float] = result.getHsvF()  # type: ignore[assignment]
        h, s, v, a = hsva
        if darken:
            v = max(0.0, v - 0.04)
        else:
            v = min(1.0, v + 0.04)
            s = max(0.0, s - 0.03)
        result = QColor.fromHsvF(h if h >= 0 else 0.0, s, v, a)
    return result


def window_bg(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Window)


def card_bg(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Base)


# status -> colour per palette. Every QPalette/QColor call from Python lets other
# threads take the interpreter lock, and during a run dozens of check threads want
# it: the contrast search below is hundreds of such calls, so it runs once per
# palette (cacheKey changes whenever a palette does) instead of once per row update.
_STATUS_COLORS: dict[tuple[str, int], QColor] = {}


def status_color(status: str, palette: QPalette) -> QColor:
    key = (status, palette.cacheKey())
    color = _STATUS_COLORS.get(key)
    if color is None:
        if len(_STATUS_COLORS) > 256:
            _STATUS_COLORS.clear()
        color = _STATUS_COLORS[key] = _status_color(status, palette)
    return color


def _status_color(status: str, palette: QPalette) -> QColor:
    light, dark = _BASE.get(status, _BASE["error"])
    base = QColor(dark if is_dark(palette) else light)
    # Lights sit on cards (Base) and on the window; meet the ratio against both.
    color = ensure_contrast(base, card_bg(palette))
    return ensure_contrast(color, window_bg(palette))


def accent(palette: QPalette) -> QColor:
    light, dark = ACCENT
    return QColor(dark if is_dark(palette) else light)


def accent_text(palette: QPalette) -> QColor:
    """White or near-black text on the accent, whichever reads better."""
    bg = accent(palette)
    white, black = QColor("#ffffff"), QColor("#0b1a10")
    return white if contrast(white, bg) >= contrast(black, bg) else black


def mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() * (1 - t) + b.redF() * t,
        a.greenF() * (1 - t) + b.greenF() * t,
        a.blueF() * (1 - t) + b.blueF() * t,
    )


def dark_palette() -> QPalette:
    """A calm dark palette for --dark (and systems whose style has none)."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1e2023",
        QPalette.ColorRole.WindowText: "#e6e8eb",
        QPalette.ColorRole.Base: "#26292d",
        QPalette.ColorRole.AlternateBase: "#2c3035",
        QPalette.ColorRole.Text: "#e6e8eb",
        QPalette.ColorRole.Button: "#2c3035",
        QPalette.ColorRole.ButtonText: "#e6e8eb",
        QPalette.ColorRole.ToolTipBase: "#2c3035",
        QPalette.ColorRole.ToolTipText: "#e6e8eb",
        QPalette.ColorRole.PlaceholderText: "#8b949e",
        QPalette.ColorRole.Highlight: "#2dbd6e",
        QPalette.ColorRole.HighlightedText: "#0b1a10",
        QPalette.ColorRole.Link: "#58a6ff",
        QPalette.ColorRole.Mid: "#3a3f45",
        QPalette.ColorRole.Midlight: "#33373c",
        QPalette.ColorRole.Dark: "#141618",
        QPalette.ColorRole.Light: "#3d4248",
        QPalette.ColorRole.BrightText: "#ffffff",
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7d848c"))
    return p


def subtle_text(palette: QPalette) -> QColor:
    text = palette.color(QPalette.ColorRole.WindowText)
    return ensure_contrast(ensure_contrast(mix(text, window_bg(palette), 0.35), card_bg(palette)),
                           window_bg(palette))


def border(palette: QPalette) -> QColor:
    return mix(card_bg(palette), palette.color(QPalette.ColorRole.WindowText), 0.14)


def primary_css(palette: QPalette) -> str:
    """The one accent button; a style sheet on that widget only (style sheets on a
    whole window make every repaint slower, and the run must stay fluid)."""
    acc, text = accent(palette), accent_text(palette)
    hover = acc.lighter(112) if is_dark(palette) else acc.darker(110)
    focus = acc.lighter(160) if is_dark(palette) else acc.darker(170)
    return (
        f"QPushButton {{ background: {acc.name()}; color: {text.name()}; border: 2px solid {acc.name()};"
        " border-radius: 8px; padding: 9px 26px; font-weight: 600; }"
        f"QPushButton:hover {{ background: {hover.name()}; border-color: {hover.name()}; }}"
        f"QPushButton:focus {{ border: 2px solid {focus.name()}; }}"
        f"QPushButton:disabled {{ background: {border(palette).name()}; color: {subtle_text(palette).name()}; }}"
    )


def fix_css(palette: QPalette) -> str:
    acc = accent(palette)
    text = acc if contrast(acc, card_bg(palette)) >= 3 else palette.color(QPalette.ColorRole.WindowText)
    focus = palette.color(QPalette.ColorRole.WindowText)
    return (
        f"QPushButton {{ background: transparent; color: {text.name()}; border: 1px solid {acc.name()};"
        " border-radius: 6px; padding: 4px 12px; font-weight: 600; }"
        f"QPushButton:focus {{ border: 2px solid {focus.name()}; }}"
    )


SUBTLE_NAMES = ("caption", "muted", "progress", "groupTitle")


def style_tree(root: QWidget) -> None:
    """Apply palette-derived colours to the named widgets under `root` (and itself)."""
    from PySide6.QtWidgets import QLabel, QPushButton

    palette = root.palette()
    subtle = subtle_text(palette)
    widgets = [root, *root.findChildren(QWidget)]
    line = border(palette)
    for widget in widgets:
        name = widget.objectName()
        if name == "separator":
            own = widget.palette()
            own.setColor(QPalette.ColorRole.Window, line)
            widget.setPalette(own)
            continue
        if isinstance(widget, QLabel) and name in SUBTLE_NAMES:
            own = widget.palette()
            if own.color(QPalette.ColorRole.WindowText) != subtle:
                own.setColor(QPalette.ColorRole.WindowText, subtle)
                widget.setPalette(own)
        elif isinstance(widget, QPushButton) and name in ("primary", "fix"):
            css = primary_css(palette) if name == "primary" else fix_css(palette)
            if widget.styleSheet() != css:
                widget.setStyleSheet(css)


def apply_dark(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(dark_palette())


# Han glyphs should come from a Simplified Chinese face, not whatever fallback the
# system picks first (on Linux that can be a Japanese variant).
CJK_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
                "Source Han Sans SC", "WenQuanYi Micro Hei")


def apply_font(app: QApplication | None) -> None:
    if app is None or app.property("wxdoctorFont"):
        return
    font = app.font()
    families = [font.family(), *[f for f in CJK_FAMILIES if f != font.family()]]
    font.setFamilies(families)
    app.setFont(font)
    app.setProperty("wxdoctorFont", True)
