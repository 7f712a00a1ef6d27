"""The report's daily chart, drawn on the server as SVG: no script, no chart library.

Views are grey bars against the left scale; net revenue is a dark line with square markers
against the right scale. They differ in shape and in the legend's words, not only in colour,
so the chart reads in greyscale and in print; the table beside it carries the same numbers
for screen readers.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from storefront.money import format_money

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 240, 48, 72, 28, 36


def daily_chart(daily: list[tuple[date, int, int]], currency: str = "usd") -> Markup:
    """An accessible SVG of views (bars) and revenue (line) per day."""
    days = len(daily) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_views = max((v for _, v, _ in daily), default=0) or 1
    top_revenue = max((r for _, _, r in daily), default=0) or 1
    step = plot_w / days
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Views (bars) and net revenue (line with squares) per day'
        '</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#333"/>',
    ]
    points = []
    for i, (day, views, revenue) in enumerate(daily):
        x = LEFT + i * step
        bar = plot_h * views / top_views
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{TOP + plot_h - bar:.1f}" '
                     f'width="{max(step * 0.7, 1):.1f}" height="{bar:.1f}" fill="#bbb">'
                     f'<title>{day.isoformat()}: {views} views</title></rect>')
        y = TOP + plot_h - plot_h * revenue / top_revenue
        points.append((x + step / 2, y, day, revenue))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#111" stroke-width="2"/>')
        for x, y, day, revenue in points:
            parts.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" '
                         f'fill="#111"><title>{day.isoformat()}: '
                         f'{escape(format_money(revenue, currency))}</title></rect>')
        first, last = daily[0][0].isoformat(), daily[-1][0].isoformat()
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 10}" font-size="12">{first}</text>')
        parts.append(f'<text x="{LEFT + plot_w}" y="{HEIGHT - 10}" font-size="12" '
                     f'text-anchor="end">{last}</text>')
    parts += [
        f'<text x="{LEFT - 6}" y="{TOP + 4}" font-size="12" text-anchor="end">{top_views}</text>',
        f'<text x="{LEFT - 6}" y="{TOP - 12}" font-size="12" text-anchor="end">views</text>',
        f'<text x="{WIDTH - RIGHT + 6}" y="{TOP + 4}" font-size="12">'
        f'{escape(format_money(top_revenue, currency))}</text>',
        f'<text x="{WIDTH - RIGHT + 6}" y="{TOP - 12}" font-size="12">revenue</text>',
        "</svg>",
    ]
    return Markup("".join(parts))


def sparkline(values: list[int], width: int = 160, height: int = 32) -> Markup:
    """A small trend line (no axes); its label says what it shows for screen readers."""
    top = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}"
                      for i, v in enumerate(values))
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Daily revenue from articles, '
        f'{len(values)} days" xmlns="http://www.w3.org/2000/svg">'
        f'<polyline points="{points}" fill="none" stroke="#111" stroke-width="1.5"/></svg>')
