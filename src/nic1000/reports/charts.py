"""Small SVG charts for PDF documents (WeasyPrint runs no JavaScript): horizontal bars, a histogram and box
plots, each a self-contained `<svg>` string. Pure: no Django; labels are escaped here. Documents print the
numbers as a table beside each chart, so a chart is never the only place a figure is given."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PRIMARY = "#256ef4"
DARK = "#052561"
GRID = "#cdd1d5"
TEXT = "#1e2124"
MUTED = "#6d7882"
FONT = "font-family=\"'Noto Sans CJK KR', sans-serif\""


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" {FONT} font-size="9"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 360) -> str:
    """One horizontal bar per (label, value), the value written at the bar's end."""
    row, label_w, pad = 16, 110, 4
    height = max(1, len(items)) * row + 2 * pad
    top = max((v for _, v in items), default=0.0) or 1.0
    span = width - label_w - 40
    body = []
    for i, (label, value) in enumerate(items):
        y = pad + i * row
        w = max(0.0, value) / top * span
        body.append(
            f'<text x="{label_w - 4}" y="{y + 11}" text-anchor="end" fill="{TEXT}">{escape(label[:18])}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{PRIMARY}"/>'
            f'<text x="{label_w + w + 3:.1f}" y="{y + 11}" fill="{TEXT}">{_fmt(value)}</text>'
        )
    if not items:
        body.append(f'<text x="{width / 2}" y="{pad + 11}" text-anchor="middle" fill="{MUTED}">–</text>')
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int


def bins(values: Sequence[float], *, low: float, high: float, n: int) -> list[Bin]:
    """`n` equal bins over [low, high]; the last bin includes `high`; values outside are clipped into the ends."""
    width = (high - low) / n
    counts = [0] * n
    for v in values:
        j = math.floor((v - low) / width) if width else 0
        counts[min(n - 1, max(0, j))] += 1
    return [Bin(low + j * width, low + (j + 1) * width, counts[j]) for j in range(n)]


def histogram(data: Sequence[Bin], *, title: str, width: int = 360, height: int = 140) -> str:
    """Vertical bars of bin counts, the bins' edges under the axis."""
    left, bottom, top_pad = 28, 18, 10
    plot_h = height - bottom - top_pad
    peak = max((b.count for b in data), default=0) or 1
    bar_w = (width - left - 4) / max(1, len(data))
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 2}" y2="{height - bottom}" stroke="{GRID}"/>',
        f'<text x="{left - 3}" y="{top_pad + 4}" text-anchor="end" fill="{MUTED}">{peak}</text>',
        f'<text x="{left - 3}" y="{height - bottom}" text-anchor="end" fill="{MUTED}">0</text>',
    ]
    for j, b in enumerate(data):
        h = b.count / peak * plot_h
        x = left + j * bar_w
        body.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="{PRIMARY}"/>'
        )
        if j % max(1, len(data) // 5) == 0:
            body.append(f'<text x="{x:.1f}" y="{height - 5}" fill="{MUTED}">{_fmt(b.low)}</text>')
    if data:
        body.append(
            f'<text x="{width - 2}" y="{height - 5}" text-anchor="end" fill="{MUTED}">{_fmt(data[-1].high)}</text>'
        )
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Box:
    label: str
    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float


def _quantile(ordered: Sequence[float], q: float) -> float:
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def box(label: str, values: Sequence[float]) -> Box | None:
    """The five-number summary of `values` (linear quantiles); None for no values."""
    if not values:
        return None
    s = sorted(values)
    return Box(label, len(s), s[0], _quantile(s, 0.25), _quantile(s, 0.5), _quantile(s, 0.75), s[-1])


def box_plots(boxes: Sequence[Box], *, title: str, low: float, high: float, width: int = 360) -> str:
    """One horizontal box plot per group on a common axis [low, high]: whiskers min–max, box q1–q3, median."""
    row, label_w, pad, axis_h = 18, 80, 4, 14
    height = max(1, len(boxes)) * row + 2 * pad + axis_h
    span = width - label_w - 10
    scale = span / (high - low) if high > low else 0.0

    def x(v: float) -> float:
        return label_w + (min(high, max(low, v)) - low) * scale

    body = []
    for i, b in enumerate(boxes):
        y = pad + i * row
        mid = y + row / 2
        body.append(
            f'<text x="{label_w - 4}" y="{mid + 3}" text-anchor="end" fill="{TEXT}">{escape(b.label[:14])}</text>'
            f'<line x1="{x(b.minimum):.1f}" y1="{mid}" x2="{x(b.maximum):.1f}" y2="{mid}" stroke="{DARK}"/>'
            f'<rect x="{x(b.q1):.1f}" y="{y + 3}" width="{max(1.0, x(b.q3) - x(b.q1)):.1f}" height="{row - 6}" '
            f'fill="#d8e5fd" stroke="{DARK}"/>'
            f'<line x1="{x(b.median):.1f}" y1="{y + 3}" x2="{x(b.median):.1f}" y2="{y + row - 3}" '
            f'stroke="{DARK}" stroke-width="2"/>'
        )
    axis_y = height - axis_h
    body.append(f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + span}" y2="{axis_y}" stroke="{GRID}"/>')
    for k in range(5):
        v = low + (high - low) * k / 4
        anchor = "start" if k == 0 else ("end" if k == 4 else "middle")
        body.append(
            f'<text x="{x(v):.1f}" y="{axis_y + 11}" text-anchor="{anchor}" fill="{MUTED}">{_fmt(v)}</text>'
        )
    return _svg(width, height, title, body)
