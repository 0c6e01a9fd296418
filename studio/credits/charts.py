"""The usage chart's geometry: stacked bars per day, laid out on the server and drawn as inline SVG."""

from dataclasses import dataclass, field

from studio.engines.capabilities import model_label

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 44
SERIES_SHOWN = 7  # more than this many models or members, and the smallest share one "Other" colour


@dataclass
class Series:
    key: object
    label: str
    css: str
    total: int = 0


@dataclass
class Day:
    date: object
    label: str
    total: int = 0
    values: list = field(default_factory=list)  # credits per series, in legend order
    segments: list = field(default_factory=list)  # drawable rects, bottom up


def _nice_step(peak, ticks=4):
    """A round step (1, 2 or 5 × 10^k) so that `ticks` steps cover the peak."""
    raw = max(peak / ticks, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude


def _series_label(by, key, label):
    if by == "model":
        return model_label(key) if key else "Unattributed"
    return label or "Former or unknown member"


def usage_chart(days, rows, *, by):
    """Everything the template needs to draw the chart, its legend, axes, tooltips and table of numbers."""
    totals = {}
    labels = {}
    for row in rows:
        totals[row["key"]] = totals.get(row["key"], 0) + row["credits"]
        labels[row["key"]] = _series_label(by, row["key"], row["label"])
    ranked = sorted(totals, key=lambda key: (-totals[key], labels[key]))
    shown = ranked if len(ranked) <= SERIES_SHOWN + 1 else ranked[:SERIES_SHOWN]
    series = [Series(key=key, label=labels[key], css=f"series-{i}") for i, key in enumerate(shown)]
    other = None
    if len(shown) < len(ranked):
        other = Series(key=object(), label=f"Other ({len(ranked) - len(shown)})", css="series-other")
        series.append(other)
    index = {s.key: i for i, s in enumerate(series)}

    by_day = {day: Day(date=day, label=f"{day.day} {day:%b}", values=[0] * len(series)) for day in days}
    for row in rows:
        day = by_day.get(row["day"])
        if day is None:
            continue
        slot = index.get(row["key"], len(series) - 1 if other else None)
        day.values[slot] += row["credits"]
        day.total += row["credits"]
        series[slot].total += row["credits"]

    peak = max((day.total for day in by_day.values()), default=0)
    step = _nice_step(peak)
    top_value = step * max(1, -(-peak // step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot_w = plot_w / max(len(days), 1)
    bar_w = slot_w * 0.72

    def y_of(value):
        return TOP + plot_h - plot_h * value / top_value

    for i, day in enumerate(by_day.values()):
        x = LEFT + i * slot_w + (slot_w - bar_w) / 2
        base = 0
        for s, value in zip(series, day.values, strict=True):
            if value:
                y_top = y_of(base + value)
                day.segments.append(
                    {
                        "x": round(x, 1),
                        "y": round(y_top, 1),
                        "width": round(bar_w, 1),
                        "height": round(y_of(base) - y_top, 1),
                        "css": s.css,
                        "title": f"{day.label} · {s.label}: {value} credits",
                    }
                )
                base += value

    y_ticks = [{"y": round(y_of(v), 1), "label": v} for v in range(0, top_value + 1, step)]
    last = len(days) - 1
    x_labels = [
        {"x": round(LEFT + i * slot_w + slot_w / 2, 1), "label": day.label}
        for i, day in enumerate(by_day.values())
        if (last - i) % 5 == 0
    ]
    return {
        "by": by,
        "has_data": peak > 0,
        "total": sum(day.total for day in by_day.values()),
        "series": series,
        "days": list(by_day.values()),
        "y_ticks": y_ticks,
        "x_labels": x_labels,
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {"left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM},
        "axis_x_label_x": LEFT + plot_w / 2,
        "axis_x_label_y": HEIGHT - 6,
        "axis_y_label_x": 14,
        "axis_y_label_y": TOP + plot_h / 2,
    }
