"""Server-rendered SVG bar charts with 95% interval whiskers. No script, no inline
style (the CSP forbids it): presentation attributes only."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .results import QuestionResult

# Narrow and tall, each label on its own line above its bar: 640 wide with the labels to
# the left, 12-unit text shrank to under 7 px on a phone. 360 wide is about a phone's
# column, so 14-unit labels stay about 14 px there; surveys.css caps the width on a
# wide screen so they don't grow past about 18 px.
WIDTH = 360
X0 = 16  # room for the half of the "0%" tick label left of the axis's start
BAR_W = 290  # to x = 306: a "100%" after the longest bar still fits
FONT = 14
ROW_H = 44
# Colours, each with a class: forced colors (Windows high contrast) keep an SVG's fixed
# fills, so #222 text vanished on a black theme. Text and lines take currentColor (the
# page's text colour, the theme's in forced colors); surveys.css gives the bars system
# colours there.
BAR_COLOR = "#2b5797"
NATIONAL_COLOR = "#b35900"


def _label(text: str, limit: int = 44) -> str:
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
    x0 = X0

    def x(pct: float) -> float:
        return x0 + BAR_W * max(0.0, min(100.0, pct)) / 100

    for i, r in enumerate(rows):
        y = i * per_row
        parts.append(
            f'<text x="{x0}" y="{y + 15}" font-size="{FONT}" fill="currentColor">{escape(_label(r.label))}</text>'
        )
        if r.percent is None:
            # the same words as the table: one label, one meaning
            label = r.hidden_label if r.hidden else _("not shown")
            parts.append(
                f'<text x="{x0}" y="{y + 36}" font-size="{FONT}" fill="currentColor" font-style="italic">'
                f"{escape(label)}</text>"
            )
        else:
            parts.append(
                f'<rect class="chart-bar" x="{x0}" y="{y + 21}" width="{x(r.percent) - x0:.1f}" height="16" '
                f'fill="{BAR_COLOR}"/>'
            )
            text_x = x(r.ci_high if (show_intervals and r.ci_high is not None) else r.percent) + 6
            parts.append(
                f'<text x="{text_x:.1f}" y="{y + 34}" font-size="{FONT}" fill="currentColor">{r.percent:.0f}%</text>'
            )
            if show_intervals and r.ci_low is not None and r.ci_high is not None:
                parts.append(_whisker(x(r.ci_low), x(r.ci_high), y + 29))
        if r.national:
            ny = y + ROW_H
            n = r.national
            parts.append(
                f'<text class="chart-national" x="{x0}" y="{ny + 15}" font-size="{FONT}" fill="{NATIONAL_COLOR}">'
                f"{escape(_('national'))}</text>"
            )
            parts.append(
                f'<rect class="chart-bar chart-national" x="{x0}" y="{ny + 23}" width="{x(n.percent) - x0:.1f}" '
                f'height="12" fill="{NATIONAL_COLOR}"/>'
            )
            parts.append(_whisker(x(n.ci_low), x(n.ci_high), ny + 29))
            parts.append(
                f'<text class="chart-national" x="{x(n.ci_high) + 6:.1f}" y="{ny + 34}" font-size="{FONT}" '
                f'fill="{NATIONAL_COLOR}">{n.percent:.0f}%</text>'
            )
    axis_y = per_row * len(rows) + 4
    parts.append(f'<line x1="{x0}" y1="{axis_y}" x2="{x0 + BAR_W}" y2="{axis_y}" stroke="currentColor"/>')
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{axis_y + 18}" text-anchor="middle" font-size="12" fill="currentColor">'
            f"{tick}%</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def _whisker(x1: float, x2: float, y: float) -> str:
    return (
        f'<g stroke="currentColor" stroke-width="1.5"><line x1="{x1:.1f}" y1="{y}" x2="{x2:.1f}" y2="{y}"/>'
        f'<line x1="{x1:.1f}" y1="{y - 5}" x2="{x1:.1f}" y2="{y + 5}"/>'
        f'<line x1="{x2:.1f}" y1="{y - 5}" x2="{x2:.1f}" y2="{y + 5}"/></g>'
    )
