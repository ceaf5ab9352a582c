"""Aligned text columns for terminals and pipes alike.

A cell is one line: control characters in it, newline and tab included, are shown as escapes
(:func:`plaincrm.render.cell_text`) before it is measured, so the columns stay aligned.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence

from plaincrm.render import cell_text


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


def column_widths(rows: Iterable[Sequence[str]]) -> list[int]:
    """The display width of each column: its widest cell."""
    widths: list[int] = []
    for row in rows:
        for c, cell in enumerate(row):
            if not cell.isprintable():
                cell = cell_text(cell)
            w = len(cell) if cell.isascii() else width(cell)
            if c == len(widths):
                widths.append(w)
            elif w > widths[c]:
                widths[c] = w
    return widths


def table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None,
          style: Callable[[int, str], str] | None = None,
          widths: list[int] | None = None, indent: str = "") -> list[str]:
    """Lines of left-aligned columns two spaces apart, each after ``indent``; the last column
    is not padded.

    ``style(column, padded_cell)`` may colour a cell after padding, so colour never
    breaks the alignment.
    """
    all_rows = [list(header), *rows] if header else list(rows)
    if not all_rows:
        return []
    if widths is None:  # (a caller that measured the columns already passes them)
        widths = column_widths(all_rows)
    lines = []
    for number, row in enumerate(all_rows):
        cell_style = style if not (header and number == 0) else None
        lines.append(line(row, widths, cell_style, indent))
    return lines


def line(row: Sequence[str], widths: list[int],
         style: Callable[[int, str], str] | None = None, indent: str = "") -> str:
    """One line of :func:`table`: the cells padded to ``widths`` (the last one not)."""
    last = len(row) - 1
    if not "".join(row).isprintable():
        row = [cell_text(cell) for cell in row]
    cells = [cell if c == last else
             cell.ljust(widths[c]) if cell.isascii() else
             cell + " " * (widths[c] - width(cell))
             for c, cell in enumerate(row)]
    if style is not None:
        cells = [style(c, cell) for c, cell in enumerate(cells)]
    return indent + "  ".join(cells).rstrip()
