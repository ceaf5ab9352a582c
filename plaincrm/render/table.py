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
    all_rows = [list(header), *rows] if header else list(rows)
    if not all_rows:
        return []
    cell_widths = [[len(cell) if cell.isascii() else width(cell) for cell in r]
                   for r in all_rows]
    columns = max(len(w) for w in cell_widths)
    widths = [max((w[c] for w in cell_widths if c < len(w)), default=0) for c in range(columns)]
    lines = []
    for number, (row, row_widths) in enumerate(zip(all_rows, cell_widths, strict=True)):
        last = len(row) - 1
        cells = [cell if c == last else cell + " " * (widths[c] - row_widths[c])
                 for c, cell in enumerate(row)]
        if style is not None and not (header and number == 0):
            cells = [style(c, cell) for c, cell in enumerate(cells)]
        lines.append("  ".join(cells).rstrip())
    return lines
