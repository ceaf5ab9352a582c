"""export writes a card or a CSV line at a time and holds no contact it has written: its
peak grows with the vault only as every command's does. Measured with tracemalloc (Python's
allocations exactly) around one real ``export`` writing to /dev/null, after a first one has
built the index and loaded the modules."""

from __future__ import annotations

import contextlib
import os
import tracemalloc
from pathlib import Path

import pytest

from plaincrm import index
from plaincrm.cli import main


def _vault(root: Path, profiles: int) -> Path:
    (root / "customers").mkdir(parents=True)
    for n in range(profiles):
        (root / "customers" / f"c{n:04d}.md").write_text(
            f"---\nname: Customer {n:04d}\nphone: '+44 20 7946 {n:04d}'\n"
            f"email: customer{n}@example.com\nbirthday: 1980-0{1 + n % 9}-12\n"
            f"address: {n} Long Street, Leeds LS1 {n % 9}AB\ntags: [boiler, loft]\n"
            f"gate_code: '{n:04d}'\nnotes: '" + f"Has a dog called Pepper, and a loft with a "
            f"boiler that needs a ladder; customer {n}. " * 20 + "'\n---\n", encoding="utf-8")
    return root


def _peak(root: Path, fmt: str) -> int:
    """tracemalloc's peak over ``plaincrm export --format fmt``, in this process, written to
    /dev/null."""
    args = ["--vault", str(root), "export", "--format", fmt]
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        main.main(args, prog_name="plaincrm", standalone_mode=False)  # index, modules
        tracemalloc.start()
        try:
            main.main(args, prog_name="plaincrm", standalone_mode=False)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


# vCards are slow to make under tracemalloc: fewer of them
@pytest.mark.parametrize(("fmt", "few", "many"), [("csv", 250, 750), ("vcf", 100, 300)])
def test_export_does_not_grow_with_the_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              fmt: str, few: int, many: int) -> None:
    monkeypatch.setattr(index, "READ_BATCH", 20)  # both vaults fill whole batches
    small, large = (_peak(_vault(tmp_path / str(n), n), fmt) for n in (few, many))
    # what may grow is every command's stat walk (a tuple a file); held, each
    # contact and its text would add about 7 KB
    assert large - small < (many - few) * 2400, f"{small:,} bytes at {few} profiles, " \
                                                f"{large:,} at {many}"
