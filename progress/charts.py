"""Server-rendered SVG charts of the Progress page (no JavaScript).

Pure functions from the trend series (progress/trends.py) and the mastery rows
(progress.selectors.mastery_by_objective) to SVG markup. Colours come from CSS classes
(static/css/charts.css) and `currentColor`, so the charts follow the site's light and dark
themes; series differ by marker shape and dash pattern too, not by colour alone. Every
chart scales with its viewBox (width 100%), so it fits a phone. Each comes with a table of
the same numbers in templates/progress/_charts.html for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from progress.trends import AccuracyTrend, MockExamScore

# A narrow viewBox: on a 390 px phone it is drawn near 1:1, so 12-unit text stays legible.
WIDTH = 400
LEFT = 40
RIGHT = 14
TOP = 16
PLOT_HEIGHT = 150
BOTTOM = 34
PLOT_WIDTH = WIDTH - LEFT - RIGHT
GRID_PERCENTS = (0, 25, 50, 75, 100)

# How the series of the accuracy trend tell themselves apart without colour.
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "6 3", "2 3", "9 3 2 3")
LEGEND_ROW_HEIGHT = 18
LEGEND_PER_ROW = 4


def percent_y(percent: float) -> float:
    """The height of a percentage (0 at the bottom of the plot, 100 at its top)."""
    clamped = min(max(percent, 0.0), 100.0)
    return round(TOP + PLOT_HEIGHT * (1 - clamped / 100), 2)


def _x_positions(count: int) -> list[float]:
    if count == 1:
        return [LEFT + PLOT_WIDTH / 2]
    step = PLOT_WIDTH / (count - 1)
    return [round(LEFT + index * step, 2) for index in range(count)]


def _edge_anchor(x: float, *, low: float, high: float) -> str:
    """Labels at the plot's ends align inward, so none is cut off at the chart's edge."""
    if x <= low:
        return "start"
    if x >= high:
        return "end"
    return "middle"


def _short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def _svg(*, chart_id: str, title: str, height: float, body: list[str], css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {WIDTH} {round(height)}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _percent_grid() -> list[str]:
    parts = []
    for percent in GRID_PERCENTS:
        y = percent_y(percent)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_WIDTH}" y2="{y}"/>'
            f'<text class="chart-tick" x="{LEFT - 5}" y="{y + 4}" text-anchor="end">'
            f"{percent}%</text>"
        )
    return parts


def _marker(shape: str, x: float, y: float, css_class: str) -> str:
    if shape == "square":
        return f'<rect class="{css_class}" x="{x - 3.5}" y="{y - 3.5}" width="7" height="7"/>'
    if shape == "triangle":
        points = f"{x},{y - 4.5} {x + 4.5},{y + 3.5} {x - 4.5},{y + 3.5}"
        return f'<polygon class="{css_class}" points="{points}"/>'
    if shape == "diamond":
        points = f"{x},{y - 5} {x + 5},{y} {x},{y + 5} {x - 5},{y}"
        return f'<polygon class="{css_class}" points="{points}"/>'
    return f'<circle class="{css_class}" cx="{x}" cy="{y}" r="4"/>'


def mock_exam_chart(scores: Sequence[MockExamScore], *, chart_id: str = "mock-chart") -> SafeString:
    """Score per finished mock exam, in time order, with the pass line; "" when none."""
    if not scores:
        return mark_safe("")
    latest = scores[-1]
    pass_y = percent_y(latest.pass_percent)
    # The legend row above the plot names the pass line and the two marker styles, so the
    # label never collides with the points (the latest one sits at the right edge).
    legend_y = 10
    body = [
        f'<line class="pass-line pass-key" x1="{LEFT}" y1="{legend_y}" x2="{LEFT + 24}" '
        f'y2="{legend_y}"/>'
        f'<text class="pass-label" x="{LEFT + 30}" y="{legend_y + 4}">'
        f"Pass mark {latest.pass_percent}% ({latest.pass_mark}/{latest.max_score})</text>"
        f'<g class="point-key passed"><circle class="score-point" cx="{LEFT + 226}" '
        f'cy="{legend_y}" r="4"/></g>'
        f'<text class="chart-label" x="{LEFT + 234}" y="{legend_y + 4}">passed</text>'
        f'<g class="point-key failed"><circle class="score-point" cx="{LEFT + 284}" '
        f'cy="{legend_y}" r="4"/></g>'
        f'<text class="chart-label" x="{LEFT + 292}" y="{legend_y + 4}">not passed</text>',
        f'<g transform="translate(0 {LEGEND_ROW_HEIGHT})">',
        *_percent_grid(),
        f'<line class="pass-line" x1="{LEFT}" y1="{pass_y}" '
        f'x2="{LEFT + PLOT_WIDTH}" y2="{pass_y}"/>',
    ]
    xs = _x_positions(len(scores))
    points = [(x, percent_y(score.percent)) for x, score in zip(xs, scores, strict=True)]
    if len(points) > 1:
        path = " ".join(f"{x},{y}" for x, y in points)
        body.append(f'<polyline class="series series-1" points="{path}"/>')
    label_every = math.ceil(len(scores) / 6)
    for index, ((x, y), score) in enumerate(zip(points, scores, strict=True)):
        outcome = "passed" if score.passed else "not passed"
        day = _short_date(timezone.localtime(score.finished_at))
        body.append(
            f'<g class="point {"passed" if score.passed else "failed"}">'
            f'<circle class="score-point" cx="{x}" cy="{y}" r="5"/>'
            f"<title>{escape(day)}: {score.score}/{score.max_score} "
            f"({score.percent:.0f}%), {outcome}</title></g>"
        )
        if index % label_every == 0 or index == len(scores) - 1:
            body.append(
                f'<text class="chart-tick" x="{x}" y="{TOP + PLOT_HEIGHT + 16}" '
                f'text-anchor="{_edge_anchor(x, low=LEFT, high=LEFT + PLOT_WIDTH)}">'
                f"{escape(day)}</text>"
            )
    body.append("</g>")
    passed = sum(1 for score in scores if score.passed)
    title = (
        f"Mock exam scores: {len(scores)} finished, {passed} passed; latest "
        f"{latest.score}/{latest.max_score} ({latest.percent:.0f}%), "
        f"pass mark {latest.pass_percent}%."
    )
    return mark_safe(
        _svg(
            chart_id=chart_id,
            title=title,
            height=LEGEND_ROW_HEIGHT + TOP + PLOT_HEIGHT + BOTTOM,
            body=body,
            css_class="mock-chart",
        )
    )


def accuracy_trend_chart(
    trends: Sequence[AccuracyTrend],
    *,
    first_day: date,
    days: int,
    chart_id: str = "block-chart",
) -> SafeString:
    """One line per block (marker and dash pattern its own) over the last `days` days."""
    if not trends:
        return mark_safe("")
    legend_rows = math.ceil(len(trends) / LEGEND_PER_ROW)
    top_offset = legend_rows * LEGEND_ROW_HEIGHT
    last_day = first_day + timedelta(days=days - 1)
    day_width = PLOT_WIDTH / max(days - 1, 1)

    def x_of(day: date) -> float:
        return round(LEFT + (day - first_day).days * day_width, 2)

    body = [f'<g transform="translate(0 {top_offset})">', *_percent_grid()]
    for day in (first_day, first_day + timedelta(days=(days - 1) // 2), last_day):
        body.append(
            f'<text class="chart-tick" x="{x_of(day)}" y="{TOP + PLOT_HEIGHT + 16}" '
            f'text-anchor="{_edge_anchor(x_of(day), low=LEFT, high=LEFT + PLOT_WIDTH)}">'
            f"{escape(_short_date(day))}</text>"
        )
    for index, trend in enumerate(trends):
        series = f"series series-{index % len(MARKERS) + 1}"
        shape = MARKERS[index % len(MARKERS)]
        dash = DASHES[index % len(DASHES)]
        points = [(x_of(item.day), percent_y(item.credit * 100), item) for item in trend.days]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y, _ in points)
            body.append(f'<polyline class="{series}" points="{path}"{dash_attribute}/>')
        body.append(f'<g class="{series} markers">')
        for x, y, item in points:
            body.append(
                f"<g>{_marker(shape, x, y, 'marker')}<title>{escape(trend.label)}, "
                f"{escape(_short_date(item.day))}: {item.credit * 100:.0f}% of "
                f"{item.answered} answered</title></g>"
            )
        body.append("</g>")
    body.append("</g>")
    legend_width = PLOT_WIDTH / LEGEND_PER_ROW
    for index, trend in enumerate(trends):
        series = f"series series-{index % len(MARKERS) + 1}"
        column, row = index % LEGEND_PER_ROW, index // LEGEND_PER_ROW
        x = LEFT + column * legend_width
        y = 10 + row * LEGEND_ROW_HEIGHT
        dash = DASHES[index % len(DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<g class="legend-item {series}">'
            f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}"{dash_attribute}/>'
            f"{_marker(MARKERS[index % len(MARKERS)], x + 12, y, 'marker')}"
            f'<text class="chart-label" x="{x + 30}" y="{y + 4}">{escape(trend.label)}</text></g>'
        )
    summary = "; ".join(
        f"{trend.label} {trend.days[-1].credit * 100:.0f}% on {_short_date(trend.days[-1].day)}"
        for trend in trends
    )
    title = f"Accuracy per block per day over the last {days} days. Latest: {summary}."
    return mark_safe(
        _svg(
            chart_id=chart_id,
            title=title,
            height=top_offset + TOP + PLOT_HEIGHT + BOTTOM,
            body=body,
            css_class="trend-chart",
        )
    )


MASTERY_ROW_HEIGHT = 22
MASTERY_LABEL_WIDTH = 40


def mastery_x(share: float) -> float:
    """The horizontal position of a mastery share (0..1) on the mastery chart."""
    clamped = min(max(share, 0.0), 1.0)
    return round(MASTERY_LABEL_WIDTH + PLOT_WIDTH * clamped, 2)


def mastery_chart(
    rows: Sequence, *, range_percent: int, chart_id: str = "mastery-chart"
) -> SafeString:
    """A bar per objective (its mastery estimate) with its range as an error bar.

    `rows` are progress.selectors.ObjectiveMastery; "" when no objective has evidence.
    """
    if not any(row.mastery for row in rows):
        return mark_safe("")
    height = TOP + len(rows) * MASTERY_ROW_HEIGHT + BOTTOM
    bottom = TOP + len(rows) * MASTERY_ROW_HEIGHT
    body = []
    for percent in GRID_PERCENTS:
        x = mastery_x(percent / 100)
        body.append(
            f'<line class="chart-grid" x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}"/>'
            f'<text class="chart-tick" x="{x}" y="{bottom + 16}" '
            f'text-anchor="{"end" if percent == 100 else "middle"}">{percent}%</text>'
        )
    for index, row in enumerate(rows):
        middle = TOP + index * MASTERY_ROW_HEIGHT + MASTERY_ROW_HEIGHT / 2
        label = (
            f'<text class="chart-label" x="{MASTERY_LABEL_WIDTH - 6}" y="{middle + 4}" '
            f'text-anchor="end">{escape(row.code)}</text>'
        )
        if row.mastery is None:
            body.append(
                f"<g>{label}"
                f'<text class="chart-tick" x="{mastery_x(0) + 4}" y="{middle + 4}">'
                f"no answers yet</text><title>{escape(row.code)} {escape(row.name)}: "
                f"no answers yet</title></g>"
            )
            continue
        estimate, low, high = row.mastery.estimate, row.mastery.low, row.mastery.high
        bar_width = round(mastery_x(estimate) - mastery_x(0), 2)
        low_x, high_x = mastery_x(low), mastery_x(high)
        body.append(
            f'<g class="mastery-row">{label}'
            f'<rect class="mastery-bar" x="{mastery_x(0)}" y="{middle - 6}" '
            f'width="{bar_width}" height="12"/>'
            f'<line class="mastery-range" x1="{low_x}" y1="{middle}" x2="{high_x}" y2="{middle}"/>'
            f'<line class="mastery-range" x1="{low_x}" y1="{middle - 5}" x2="{low_x}" '
            f'y2="{middle + 5}"/>'
            f'<line class="mastery-range" x1="{high_x}" y1="{middle - 5}" x2="{high_x}" '
            f'y2="{middle + 5}"/>'
            f"<title>{escape(row.code)} {escape(row.name)}: {estimate * 100:.0f}% "
            f"({range_percent}% range {low * 100:.0f}–{high * 100:.0f}%)</title></g>"
        )
    practised = sum(1 for row in rows if row.mastery)
    title = (
        f"Mastery per objective with its {range_percent}% range: {practised} of "
        f"{len(rows)} objectives practised."
    )
    return mark_safe(
        _svg(chart_id=chart_id, title=title, height=height, body=body, css_class="mastery-chart")
    )


# The rows of the charts' "Show as a table" tables, built here rather than by a template
# loop: a long history has a few hundred cells, and each template variable, date filter
# and tag costs far more than a string format. Same markup as the template loop had.


def _day_month_year(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def mock_exam_rows(scores: Sequence[MockExamScore]) -> SafeString:
    """One <tr> per finished mock exam: when (site time), score, pass mark and result."""
    rows = []
    for score in scores:
        finished = timezone.localtime(score.finished_at)
        result = "—" if score.passed is None else ("passed" if score.passed else "not passed")
        rows.append(
            f"<tr><td>{_day_month_year(finished)} {finished:%H:%M}</td>"
            f"<td>{score.score}/{score.max_score} ({floatformat(score.percent, 0)}%)</td>"
            f"<td>{score.pass_mark} ({score.pass_percent}%)</td><td>{result}</td></tr>"
        )
    return mark_safe("".join(rows))


def accuracy_rows(trends: Sequence[AccuracyTrend]) -> SafeString:
    """One <tr> per series per day answered: the series, the day, answers and accuracy."""
    rows = []
    for trend in trends:
        series = f"{escape(trend.label)} {escape(trend.name)}"
        for item in trend.days:
            rows.append(
                f"<tr><td>{series}</td><td>{_day_month_year(item.day)}</td>"
                f"<td>{item.answered}</td><td>{round(item.credit * 100)}%</td></tr>"
            )
    return mark_safe("".join(rows))
