"""The pulse as one self-contained HTML page: the same figures, with charts as inline SVG.

No script, no web font, nothing fetched: a Content-Security-Policy in the page forbids any
request. The page is rendered by Jinja2 (autoescaped) from ``plaincrm/pulse/templates``; this
module only turns the figures into chart geometry.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from plaincrm.render.pulse import percent

# Okabe-Ito: told apart with the common colour-vision deficiencies, on light and dark alike
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999")
CHART_W, CHART_H = 640, 220
# In the page's <meta>, and sent by plaincrm serve as a header: no request of any kind
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
LEFT, BOTTOM, TOP = 36, 28, 10


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("plaincrm.pulse", "templates"),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)


def render_html(data: dict[str, Any]) -> str:
    """The page for the figures of :func:`plaincrm.pulse.metrics.compute`."""
    charts = {"weeks": weeks_chart(data["heartbeat"]),
              "overdue": overdue_chart(data["follow_through"]),
              "services": services_chart(data["follow_through"]["services"]),
              "cohorts": cohort_chart(data["retention"]["cohorts"])}
    day = dt.date.fromisoformat(data["date"])
    return str(_environment().get_template("pulse.html").render(
        d=data, charts=charts, percent=percent, day=day.strftime("%A %-d %B %Y"),
        csp=CONTENT_SECURITY_POLICY))


def _scale(top: int) -> tuple[int, list[int]]:
    """A round axis maximum at or above ``top`` and its ticks."""
    if top <= 0:
        return 1, [0, 1]
    step = 1
    while top / step > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    ceiling = -(-top // step) * step
    return ceiling, list(range(0, ceiling + 1, step))


def _axis(top: int, height: int) -> tuple[int, list[dict[str, Any]]]:
    ceiling, ticks = _scale(top)
    return ceiling, [{"y": TOP + height - t * height / ceiling, "label": t} for t in ticks]


def weeks_chart(h: dict[str, Any]) -> dict[str, Any]:
    """Contacts per week stacked by kind, attempts on top in grey."""
    kinds = sorted(h["kinds"], key=lambda k: (-h["kinds"][k], k))
    colours = {k: PALETTE[i % (len(PALETTE) - 1)] for i, k in enumerate(kinds)}
    weeks = h["weeks"]
    height = CHART_H - TOP - BOTTOM
    ceiling, ticks = _axis(max((w["contacts"] + w["attempts"] for w in weeks), default=0),
                           height)
    slot = (CHART_W - LEFT) / max(len(weeks), 1)
    bars = []
    for n, w in enumerate(weeks):
        x, y, segments = LEFT + n * slot + slot * 0.15, TOP + height, []
        parts = [(k, w["kinds"].get(k, 0), colours[k]) for k in kinds]
        parts.append(("attempts", w["attempts"], "var(--attempt)"))
        for label, value, colour in parts:
            if not value:
                continue
            tall = value * height / ceiling
            y -= tall
            segments.append({"x": x, "y": y, "w": slot * 0.7, "h": tall, "fill": colour,
                             "title": f"week of {w['week']}: {value} {label}"})
        bars.append({"label": w["week"][5:], "x": x + slot * 0.35, "segments": segments,
                     "title": f"week of {w['week']}: {w['contacts']} contacts, "
                              f"{w['attempts']} attempts"})
    legend = [{"label": k, "fill": colours[k]} for k in kinds]
    legend.append({"label": "attempts", "fill": "var(--attempt)"})
    return {"w": CHART_W, "h": CHART_H, "bars": bars, "ticks": ticks, "legend": legend,
            "left": LEFT, "base": TOP + height, "label_y": CHART_H - 8,
            "every": max(1, len(weeks) // 12)}


def overdue_chart(f: dict[str, Any]) -> dict[str, Any]:
    """Overdue items per staff member, one horizontal bar each."""
    rows = [(owner, sum(c["overdue"] for c in kinds.values()),
             sum(c["open"] for c in kinds.values())) for owner, kinds in f["owners"].items()]
    top = max((r[1] for r in rows), default=0) or 1
    row_h, label_w, width = 26, 110, CHART_W
    bars = [{"label": owner, "y": 6 + n * row_h, "h": row_h - 8, "x": label_w,
             "w": overdue * (width - label_w - 60) / top, "value": overdue,
             "title": f"{owner}: {overdue} overdue of {open_} open"}
            for n, (owner, overdue, open_) in enumerate(rows)]
    return {"w": width, "h": 12 + len(rows) * row_h, "bars": bars}


def services_chart(sv: dict[str, Any]) -> dict[str, Any]:
    """Services done per month of the period, then next services due per month ahead."""
    months = [(m["month"], m["done"], "done", "var(--done)") for m in sv["done"]]
    months += [(m["month"], m["due"], "due", "var(--due)") for m in sv["ahead"]]
    height = CHART_H - TOP - BOTTOM
    ceiling, ticks = _axis(max((m[1] for m in months), default=0), height)
    slot = (CHART_W - LEFT) / max(len(months), 1)
    bars = [{"x": LEFT + n * slot + slot * 0.2, "w": slot * 0.6,
             "y": TOP + height - value * height / ceiling, "h": value * height / ceiling,
             "fill": fill, "label": month, "cx": LEFT + n * slot + slot / 2,
             "title": f"{month}: {value} {what}"}
            for n, (month, value, what, fill) in enumerate(months)]
    return {"w": CHART_W, "h": CHART_H, "bars": bars, "ticks": ticks, "left": LEFT,
            "base": TOP + height, "label_y": CHART_H - 8}


def cohort_chart(cohorts: list[dict[str, Any]]) -> dict[str, Any]:
    """The cohort table as a heat map: a row per cohort, a cell per later year."""
    years = [c["year"] for c in cohorts]
    cell_w, cell_h, label_w, top = 52, 26, 92, 24
    cells, rows = [], []
    for r, cohort in enumerate(cohorts):
        y = top + r * cell_h
        rows.append({"y": y + cell_h / 2 + 4, "label": f"{cohort['year']} ({cohort['size']})"})
        for cell in cohort["years"]:
            x = label_w + years.index(cell["year"]) * cell_w
            share = cell["share"]
            cells.append({"x": x, "y": y, "w": cell_w - 2, "h": cell_h - 2,
                          "opacity": 0.08 if share is None else 0.12 + 0.88 * share,
                          "text": percent(share), "dark": share is not None and share > 0.55,
                          "tx": x + (cell_w - 2) / 2, "ty": y + cell_h / 2 + 3,
                          "title": f"cohort {cohort['year']} in {cell['year']}: "
                                   f"{cell['active']} of {cohort['size']} active "
                                   f"({percent(share)})"})
    columns = [{"x": label_w + n * cell_w + (cell_w - 2) / 2, "label": y}
               for n, y in enumerate(years)]
    return {"w": label_w + len(years) * cell_w + 4, "h": top + len(cohorts) * cell_h + 4,
            "cells": cells, "rows": rows, "columns": columns}
