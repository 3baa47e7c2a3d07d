"""Server-rendered SVG bar charts with 95% interval whiskers. No script, no inline
style (the CSP forbids it): presentation attributes only."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .results import QuestionResult

WIDTH = 640
LABEL_W = 250
BAR_W = 300
ROW_H = 26
BAR_COLOR = "#2b5797"
NATIONAL_COLOR = "#b35900"


def _label(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(result: QuestionResult, show_intervals: bool) -> SafeString:
    rows = result.rows
    national = any(r.national for r in rows)
    per_row = ROW_H * (2 if national else 1)
    height = per_row * len(rows) + 30
    title = escape(result.question.text)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="t{result.question.pk}">',
        f'<title id="t{result.question.pk}">{title}</title>',
    ]
    x0 = LABEL_W

    def x(pct: float) -> float:
        return x0 + BAR_W * max(0.0, min(100.0, pct)) / 100

    for i, r in enumerate(rows):
        y = i * per_row + 4
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#222">'
            f"{escape(_label(r.label))}</text>"
        )
        if r.percent is None:
            # the same words as the table: one label, one meaning
            label = r.hidden_label if r.hidden else _("not shown")
            parts.append(
                f'<text x="{x0 + 4}" y="{y + 15}" font-size="12" fill="#666" font-style="italic">{escape(label)}</text>'
            )
        else:
            parts.append(f'<rect x="{x0}" y="{y + 3}" width="{x(r.percent) - x0:.1f}" height="16" fill="{BAR_COLOR}"/>')
            text_x = x(r.ci_high if (show_intervals and r.ci_high is not None) else r.percent) + 6
            parts.append(f'<text x="{text_x:.1f}" y="{y + 15}" font-size="12" fill="#222">{r.percent:.0f}%</text>')
            if show_intervals and r.ci_low is not None and r.ci_high is not None:
                parts.append(_whisker(x(r.ci_low), x(r.ci_high), y + 11))
        if r.national:
            ny = y + ROW_H
            n = r.national
            parts.append(
                f'<text x="{LABEL_W - 6}" y="{ny + 15}" text-anchor="end" font-size="11" fill="{NATIONAL_COLOR}">'
                f"{escape(_('national'))}</text>"
            )
            parts.append(
                f'<rect x="{x0}" y="{ny + 5}" width="{x(n.percent) - x0:.1f}" height="12" fill="{NATIONAL_COLOR}"/>'
            )
            parts.append(_whisker(x(n.ci_low), x(n.ci_high), ny + 11))
            parts.append(
                f'<text x="{x(n.ci_high) + 6:.1f}" y="{ny + 15}" font-size="11" fill="{NATIONAL_COLOR}">'
                f"{n.percent:.0f}%</text>"
            )
    axis_y = per_row * len(rows) + 8
    parts.append(f'<line x1="{x0}" y1="{axis_y}" x2="{x0 + BAR_W}" y2="{axis_y}" stroke="#999"/>')
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="10" fill="#555">{tick}%</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def _whisker(x1: float, x2: float, y: float) -> str:
    return (
        f'<g stroke="#111" stroke-width="1.5"><line x1="{x1:.1f}" y1="{y}" x2="{x2:.1f}" y2="{y}"/>'
        f'<line x1="{x1:.1f}" y1="{y - 5}" x2="{x1:.1f}" y2="{y + 5}"/>'
        f'<line x1="{x2:.1f}" y1="{y - 5}" x2="{x2:.1f}" y2="{y + 5}"/></g>'
    )
