"""The Progress page's SVG charts: well-formed, accessible, escaped, with empty states."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from progress import charts
from progress.mastery import Mastery
from progress.selectors import ObjectiveMastery
from progress.trends import AccuracyTrend, DayAccuracy, MockExamScore

SVG = "{http://www.w3.org/2000/svg}"
FINISHED = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def assert_accessible(root: ET.Element) -> None:
    title = root.find(f"{SVG}title")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == title.get("id")
    assert title.text
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("width") == "100%"


def mock_score(*, day: int, percent: float, pass_percent: int = 70) -> MockExamScore:
    return MockExamScore(
        finished_at=FINISHED + timedelta(days=day),
        exam_title="PCEP mock",
        score=round(percent * 10),
        max_score=1000,
        percent=percent,
        passed=percent >= pass_percent,
        pass_percent=pass_percent,
    )


def test_mock_chart_draws_the_pass_line_at_the_pass_mark():
    scores = [mock_score(day=0, percent=50.0), mock_score(day=3, percent=70.0)]

    root = parse(charts.mock_exam_chart(scores))

    assert_accessible(root)
    pass_line = root.find(f".//{SVG}line[@class='pass-line']")
    points = [
        group.find(f"{SVG}circle")
        for group in root.iter(f"{SVG}g")
        if group.get("class", "").startswith("point ")
    ]
    assert float(pass_line.get("y1")) == float(pass_line.get("y2")) == charts.percent_y(70)
    # The 70% attempt sits exactly on the line; the 50% one below it (larger y).
    assert float(points[1].get("cy")) == float(pass_line.get("y1"))
    assert float(points[0].get("cy")) > float(pass_line.get("y1"))
    label = root.find(f".//{SVG}text[@class='pass-label']")
    assert "700/1000" in label.text
    assert len(root.findall(f".//{SVG}polyline")) == 1


def test_mock_chart_pass_line_height_follows_the_pass_percent():
    low = parse(charts.mock_exam_chart([mock_score(day=0, percent=60.0, pass_percent=50)]))
    high = parse(charts.mock_exam_chart([mock_score(day=0, percent=60.0, pass_percent=80)]))
    low_y = float(low.find(f".//{SVG}line[@class='pass-line']").get("y1"))
    high_y = float(high.find(f".//{SVG}line[@class='pass-line']").get("y1"))

    assert high_y < low_y
    assert low_y - high_y == pytest.approx(charts.PLOT_HEIGHT * 0.30)


def test_passed_and_failed_attempts_differ_without_colour():
    root = parse(
        charts.mock_exam_chart([mock_score(day=0, percent=40.0), mock_score(day=1, percent=90.0)])
    )
    classes = [group.get("class") for group in root.findall(f".//{SVG}g")]
    assert classes.count("point failed") == 1
    assert classes.count("point passed") == 1


def block_trend(block: int, *credits: float) -> AccuracyTrend:
    return AccuracyTrend(
        key=block,
        label=f"Block {block}",
        name=f"Block {block} name",
        days=[
            DayAccuracy(day=date(2026, 3, 1) + timedelta(days=index), answered=4, credit=credit)
            for index, credit in enumerate(credits)
        ],
    )


def test_block_trend_has_a_line_marker_and_legend_entry_per_block():
    trends = [block_trend(1, 0.5, 1.0), block_trend(2, 0.25, 0.75), block_trend(3, 1.0, 0.0)]

    root = parse(charts.accuracy_trend_chart(trends, first_day=date(2026, 2, 20), days=30))

    assert_accessible(root)
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 3
    # Told apart by dash pattern as well as colour.
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    legend = root.findall(f".//{SVG}g[@class]")
    legend_texts = [
        group.find(f"{SVG}text").text for group in legend if "legend-item" in group.get("class")
    ]
    assert legend_texts == ["Block 1", "Block 2", "Block 3"]
    # Markers of different shapes: circle, square (rect), triangle (polygon).
    markers = root.findall(f".//{SVG}g[@class='series series-2 markers']/{SVG}g/{SVG}rect")
    assert len(markers) == 2


def test_accuracy_points_sit_at_their_share():
    root = parse(
        charts.accuracy_trend_chart([block_trend(1, 0.5)], first_day=date(2026, 3, 1), days=30)
    )
    marker = root.find(f".//{SVG}g[@class='series series-1 markers']//{SVG}circle")
    assert float(marker.get("cy")) == charts.percent_y(50)
    assert float(marker.get("cx")) == charts.LEFT  # the window's first day


def objective(code: str, name: str, estimate_logit: float | None) -> ObjectiveMastery:
    return ObjectiveMastery(
        code=code,
        name=name,
        block=1,
        answered=3,
        correct=2,
        last_practised=None,
        mastery=None
        if estimate_logit is None
        else Mastery(ability=estimate_logit, spread=0.5, weight=3.0),
    )


def test_mastery_chart_draws_the_estimate_and_its_range():
    rows = [objective("1.1", "Basics", 0.0), objective("1.2", "Literals", None)]

    root = parse(charts.mastery_chart(rows, range_percent=80))

    assert_accessible(root)
    bar = root.find(f".//{SVG}rect[@class='mastery-bar']")
    assert float(bar.get("width")) == charts.PLOT_WIDTH * 0.5  # estimate 50%
    whisker = root.findall(f".//{SVG}line[@class='mastery-range']")[0]
    mastery = rows[0].mastery
    assert float(whisker.get("x1")) == charts.mastery_x(mastery.low)
    assert float(whisker.get("x2")) == charts.mastery_x(mastery.high)
    assert len(root.findall(f".//{SVG}rect[@class='mastery-bar']")) == 1
    assert "1 of 2 objectives practised" in root.find(f"{SVG}title").text


def test_objective_names_are_escaped():
    rows = [objective("1.1", "<script>alert(1)</script> & co", 0.5)]

    svg = charts.mastery_chart(rows, range_percent=80)
    root = parse(svg)

    assert "<script>" not in svg
    assert root.find(f".//{SVG}script") is None
    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert any("<script>alert(1)</script> & co" in text for text in titles)


def test_trend_labels_are_escaped():
    trend = AccuracyTrend(
        key=1, label="<b>1</b>", name="x", days=[DayAccuracy(date(2026, 3, 1), 1, 1.0)]
    )
    svg = charts.accuracy_trend_chart([trend], first_day=date(2026, 3, 1), days=7)
    assert "<b>" not in svg
    parse(svg)


def test_empty_series_give_no_chart():
    assert charts.mock_exam_chart([]) == ""
    assert charts.accuracy_trend_chart([], first_day=date(2026, 3, 1), days=30) == ""
    assert charts.mastery_chart([objective("1.1", "Basics", None)], range_percent=80) == ""


# The table rows as the template loops wrote them before progress/charts.py built them.
MOCK_ROWS_TEMPLATE = (
    "{% for attempt in mock_scores %}"
    '<tr><td>{{ attempt.finished_at|date:"j M Y H:i" }}</td><td>{{ attempt.score }}/'
    "{{ attempt.max_score }} ({{ attempt.percent|floatformat:0 }}%)</td><td>"
    "{{ attempt.pass_mark }} ({{ attempt.pass_percent }}%)</td><td>"
    '{{ attempt.passed|yesno:"passed,not passed,—" }}</td></tr>{% endfor %}'
)
ACCURACY_ROWS_TEMPLATE = (
    "{% for trend in block_trends %}{% for item in trend.days %}"
    '<tr><td>{{ trend.label }} {{ trend.name }}</td><td>{{ item.day|date:"j M Y" }}</td>'
    "<td>{{ item.answered }}</td><td>{% widthratio item.credit 1 100 %}%</td></tr>"
    "{% endfor %}{% endfor %}"
)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Warsaw", "America/Los_Angeles"])
def test_table_rows_match_what_the_template_loop_rendered(zone):
    from django.template import Context, Template
    from django.utils import timezone

    scores = [mock_score(day=day, percent=percent) for day, percent in enumerate((62.5, 70.0))]
    scores.append(
        MockExamScore(
            finished_at=datetime(2026, 3, 29, 23, 30, tzinfo=UTC),  # a day later in Warsaw
            exam_title="PCEP mock",
            score=0,
            max_score=1000,
            percent=0.5,
            passed=None,
            pass_percent=70,
        )
    )
    trends = [
        AccuracyTrend(
            key=1,
            label="Block 1",
            name="Loops <& branches>",
            days=[
                DayAccuracy(day=date(2026, 3, 1), answered=3, credit=0.125),
                DayAccuracy(day=date(2026, 12, 9), answered=1, credit=2 / 3),
            ],
        )
    ]
    context = Context({"mock_scores": scores, "block_trends": trends})

    with timezone.override(zone):
        assert charts.mock_exam_rows(scores) == Template(MOCK_ROWS_TEMPLATE).render(context)
        assert charts.accuracy_rows(trends) == Template(ACCURACY_ROWS_TEMPLATE).render(context)
    assert "Loops &lt;&amp; branches&gt;" in charts.accuracy_rows(trends)
