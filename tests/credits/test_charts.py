"""The usage chart's layout: stacked bars that fit the plot, a legend, and an "Other" colour for the long tail."""

from datetime import date, timedelta

from studio.credits.charts import HEIGHT, SERIES_SHOWN, usage_chart

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]


def _row(day, key, credits, label=None):
    return {"day": DAYS[day], "key": key, "label": label or key, "credits": credits}


def test_bars_stack_bottom_up_and_the_tallest_day_fits_the_plot():
    chart = usage_chart(DAYS, [_row(4, "openai:gpt-image-2", 30), _row(4, "local:draft", 10)], by="model")

    first, second = chart["days"][4].segments
    assert first["y"] == round(second["y"] + second["height"], 1)
    assert second["y"] >= chart["plot"]["top"]
    assert first["y"] + first["height"] <= chart["plot"]["bottom"] < HEIGHT
    assert [s.label for s in chart["series"]] == ["GPT Image 2", "Offline draft engine"]
    assert chart["total"] == 40 and chart["y_ticks"][-1]["label"] >= 40


def test_the_long_tail_of_members_shares_one_other_colour():
    rows = [_row(0, i, 100 - i, f"person{i}@example.com") for i in range(SERIES_SHOWN + 3)]

    chart = usage_chart(DAYS, rows, by="member")

    assert len(chart["series"]) == SERIES_SHOWN + 1
    assert chart["series"][-1].label == "Other (3)"
    assert chart["series"][-1].total == sum(100 - i for i in range(SERIES_SHOWN, SERIES_SHOWN + 3))
    assert chart["days"][0].total == sum(row["credits"] for row in rows)


def test_work_no_member_started_is_labelled_as_such():
    chart = usage_chart(DAYS, [_row(2, None, 5, None)], by="member")

    assert chart["series"][0].label == "Former or unknown member"


def test_an_empty_month_says_there_is_nothing_to_draw():
    chart = usage_chart(DAYS, [], by="model")

    assert chart["has_data"] is False and chart["total"] == 0
