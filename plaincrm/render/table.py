"""Aligned text columns for terminals and pipes alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence


def width(text: str) -> int:
    """Display width: East Asian wide characters take two columns, combining marks none."""
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None,
          style: Callable[[int, str], str] | None = None) -> list[str]:
    """Lines of left-aligned columns two spaces apart; the last column is not padded.

    ``style(column, padded_cell)`` may colour a cell after padding, so colour never
    breaks the alignment.
    """
    all_rows = [list(header)] + [list(r) for r in rows] if header else [list(r) for r in rows]
    if not all_rows:
        return []
    columns = max(len(r) for r in all_rows)
    cell_widths = [[width(cell) for cell in r] for r in all_rows]
    widths = [max((w[c] for w in cell_widths if c < len(w)), default=0) for c in range(columns)]
    lines = []
    for number, row in enumerate(all_rows):
        cells = []
        for c, cell in enumerate(row):
            padded = cell if c == len(row) - 1 else \
                cell + " " * (widths[c] - cell_widths[number][c])
            if style is not None and not (header and number == 0):
                padded = style(c, padded)
            cells.append(padded)
        lines.append("  ".join(cells).rstrip())
    return lines
