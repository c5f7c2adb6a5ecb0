"""Charts drawn on the server as SVG: no CDN, no script, the same picture in
the dashboard and in the PDF report. Every text is escaped."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

_FONT = "font-family=\"'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif\""
_OK, _LOW, _GOAL, _INK = "#2e7d32", "#b3261e", "#1f2328", "#5f6670"


def bars(rows: list[tuple[str, float | None]], *, goal: float, width: int = 640, title: str = "") -> SafeString:
    """Horizontal bars, one per row, 0–100 %, with the goal as a line."""
    row_h, label_w, pad = 26, 170, 8
    plot_w = width - label_w - 60
    height = pad * 2 + row_h * max(len(rows), 1) + (22 if title else 0)
    top = pad + (22 if title else 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(title)}" class="chart">']
    if title:
        out.append(f'<text x="0" y="16" font-size="14" font-weight="bold" {_FONT} fill="{_INK}">{escape(title)}</text>')
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 17}" font-size="12" text-anchor="end" {_FONT} '
                   f'fill="{_INK}">{escape(str(label))[:24]}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{plot_w}" height="{row_h - 8}" fill="#eef0f2"/>')
        if value is not None:
            w = round(plot_w * max(0.0, min(value, 100.0)) / 100, 1)
            colour = _OK if value >= goal else _LOW
            out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" fill="{colour}"/>')
        text = "—" if value is None else f"{value:g}%"
        out.append(f'<text x="{label_w + plot_w + 6}" y="{y + 17}" font-size="12" {_FONT} fill="{_INK}">{text}</text>')
    gx = label_w + round(plot_w * goal / 100, 1)
    out.append(f'<line x1="{gx}" y1="{top}" x2="{gx}" y2="{height - pad}" stroke="{_GOAL}" stroke-dasharray="4 3"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def trend(points: list[tuple[str, float | None]], *, goal: float, width: int = 640, height: int = 200,
          title: str = "") -> SafeString:
    """A line over the months, 0–100 %, with the goal as a dashed line."""
    left, right, top, bottom = 40, 10, 28 if title else 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(points), 1)
    step = plot_w / max(n - 1, 1)

    def y_of(v: float) -> float:
        return round(top + plot_h * (1 - max(0.0, min(v, 100.0)) / 100), 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(title)}" class="chart">']
    if title:
        out.append(f'<text x="0" y="16" font-size="14" font-weight="bold" {_FONT} fill="{_INK}">{escape(title)}</text>')
    for v in (0, 50, 100):
        out.append(f'<line x1="{left}" y1="{y_of(v)}" x2="{width - right}" y2="{y_of(v)}" stroke="#e3e5e8"/>')
        out.append(f'<text x="{left - 4}" y="{y_of(v) + 4}" font-size="10" text-anchor="end" {_FONT} fill="{_INK}">{v}%</text>')
    out.append(f'<line x1="{left}" y1="{y_of(goal)}" x2="{width - right}" y2="{y_of(goal)}" stroke="{_GOAL}" '
               f'stroke-dasharray="4 3"/>')
    coords = []
    for i, (label, value) in enumerate(points):
        x = round(left + i * step, 1)
        out.append(f'<text x="{x}" y="{height - 6}" font-size="10" text-anchor="middle" {_FONT} '
                   f'fill="{_INK}">{escape(str(label))}</text>')
        if value is not None:
            coords.append((x, y_of(value), value))
    if len(coords) > 1:
        path = " ".join(f"{x},{y}" for x, y, _v in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="{_OK}" stroke-width="2"/>')
    for x, y, v in coords:
        out.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{_OK if v >= goal else _LOW}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
