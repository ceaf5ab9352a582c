"""``-o -`` is standard output, as everywhere on the command line; ``-o ./-`` is a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, VaultFactory

ANN = """\
    ---
    name: Ann Ash
    email: ann@example.com
    birthday: 1980-12-01
    ---
    """


@pytest.mark.parametrize("args, marker", [
    (("calendar", "--date", "2026-11-22"), "BEGIN:VCALENDAR"),
    (("export", "--format", "vcf"), "BEGIN:VCARD"),
])
def test_dash_writes_to_standard_output_and_no_file(
        vault: VaultFactory, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        args: tuple[str, ...], marker: str) -> None:
    root = vault({"ann-ash.md": ANN})
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    plain = run(root, *args)
    dashed = run(root, *args, "-o", "-")
    assert dashed.exit_code == 0, dashed.output
    assert marker in dashed.stdout and dashed.stdout == plain.stdout
    assert not (work / "-").exists()
    named = run(root, *args, "-o", "./-")
    assert named.exit_code == 0 and marker not in named.stdout
    assert marker in (work / "-").read_text(encoding="utf-8")
