"""Small server-side SVG charts: no script, no external service, readable offline and by screen readers.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by a ``<desc>`` that states the figures
in words; pages put the same figures in a table beside it. Shapes carry their values as text too (points are
marked, bars are labelled), so nothing depends on colour.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 44


def _nice_max(value: float) -> int:
    """A round upper bound for an axis (1, 2, 5 × a power of ten) at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)


def _open(chart_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="12" font-family="inherit">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _axes(y_max: int) -> list[str]:
    plot_bottom, plot_right = HEIGHT - BOTTOM, WIDTH - RIGHT
    parts = [f'<g class="axes" stroke="#57606a" stroke-width="1">'
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}"/>'
             f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}"/></g>']
    for fraction in (0, 0.5, 1):
        value = y_max * fraction
        y = plot_bottom - (plot_bottom - TOP) * fraction
        label = f"{value:g}"
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" stroke="#d0d7de" '
                     f'stroke-dasharray="3 3"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1f2328">{label}</text>')
    return parts


def line_chart(chart_id: str, title: str, desc: str, points: list[tuple[str, float]], y_max: float | None = None
               ) -> Markup:
    """A line over labelled x positions (first, middle and last labels shown), each point marked with a circle."""
    top = _nice_max(max([value for _label, value in points] + [y_max or 0]))
    parts = _open(chart_id, title, desc) + _axes(top)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(points)
    coordinates = []
    for index, (_label, value) in enumerate(points):
        x = LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2)
        y = TOP + plot_height * (1 - value / top)
        coordinates.append((x, y))
    if coordinates:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b5cad" stroke-width="2.5"/>')
        for x, y in coordinates:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5cad"/>')
        last_x, last_y = coordinates[-1]
        parts.append(f'<text x="{min(last_x, WIDTH - RIGHT - 4):.1f}" y="{max(last_y - 8, TOP + 10):.1f}" '
                     f'text-anchor="end" fill="#1f2328" font-weight="600">{points[-1][1]:g}</text>')
        shown = sorted({0, count // 2, count - 1})
        for index in shown:
            x = coordinates[index][0]
            anchor = "start" if index == 0 and count > 1 else "end" if index == count - 1 and count > 1 else "middle"
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}" '
                         f'fill="#1f2328">{escape(points[index][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(chart_id: str, title: str, desc: str, bars: list[tuple[str, float]]) -> Markup:
    """Vertical bars, each labelled below with its category and above with its value."""
    top = _nice_max(max([value for _label, value in bars] + [1]))
    parts = _open(chart_id, title, desc) + _axes(top)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(1, len(bars))
    for index, (label, value) in enumerate(bars):
        height = plot_height * value / top
        x = LEFT + slot * index + slot * 0.15
        y = TOP + plot_height - height
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
                     f'fill="#0b5cad"/>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                     f'fill="#1f2328">{value:g}</text>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'fill="#1f2328" font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
