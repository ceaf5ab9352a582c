"""Writers at the same time: other plaincrm processes, and an editor saving in place.

Each side is a real process: the plaincrm writers run the real CLI (``plaincrm.cli.main``)
round after round in their own Python processes, the editor truncates and rewrites the file
the way an editor saving in place does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import Run, VaultFactory

JANE = (b"---\nname: Jane Roe\nphone: \"+44 20 7946 0958\"\n---\n\n"
        b"Prefers a call after 17:00.\n\n- [ ] 2026-12-01 Send the quote\n\n"
        b"## Log\n\n- 2026-01-01 call: first contact\n")

# One plaincrm writer: ROUNDS commands, each printed as the CLI prints it, then "exit N".
WRITER = """
import sys
from plaincrm.cli import main

vault, tag, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(rounds):
    text = f"{tag}-{i}"
    if i % 3 == 2:
        args = ["task", "jane", "2026-12-02", text]
    else:
        args = ["log", "jane", text, "--date", "2026-01-02"]
    try:
        main.main(["--vault", vault, *args], prog_name="plaincrm")
    except SystemExit as exc:
        print(f"exit {exc.code or 0}", flush=True)
"""

# An editor saving in place: open, truncate, (a moment later) write, close; over and over,
# until the stop file appears. After each save it looks at the file: every line the user
# wrote must be there, else the save went into a file plaincrm had replaced (lost).
EDITOR = """
import os, sys, time

path, stop = sys.argv[1], sys.argv[2]
content = open(path, "rb").read()
mine = set(content.splitlines())
saves = lost = 0
while not os.path.exists(stop):
    fd = os.open(path, os.O_WRONLY)
    os.ftruncate(fd, 0)
    time.sleep(0.002)
    os.write(fd, content)
    os.close(fd)
    saves += 1
    with open(path, "rb") as handle:
        if not mine <= set(handle.read().splitlines()):
            lost += 1
    time.sleep(0.002)
print(saves, lost)
"""


def test_parallel_writers_lose_nothing_they_reported(vault: VaultFactory, run: Run,
                                                     tmp_path: Path) -> None:
    root = vault({"jane.md": JANE})
    assert run(root, "list").exit_code == 0  # build the index once, as a user's vault has it
    workers, rounds = 6, 40
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), f"w{n}", str(rounds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(workers)]
    outputs = [proc.communicate(timeout=600) for proc in procs]
    reported: list[str] = []
    codes: list[str] = []
    for out, err in outputs:
        assert "Traceback" not in err, err
        codes += re.findall(r"^exit (\d+)$", out, re.M)
        reported += re.findall(r"^jane\.md:\d+: (?:2026-01-02 note: |\[ \] 2026-12-02 )(w\d+-\d+)$",
                               out, re.M)
    on_disk = (root / "jane.md").read_text(encoding="utf-8")
    missing = [text for text in reported if not re.search(rf" {text}$", on_disk, re.M)]
    assert missing == []
    # with the lock no plaincrm writer ever has to refuse because of another one
    assert codes == ["0"] * (workers * rounds)
    assert len(reported) == workers * rounds
    assert set(JANE.decode().splitlines()) <= set(on_disk.splitlines())


def test_an_editor_saving_in_place_never_loses_the_users_text(vault: VaultFactory, run: Run,
                                                              tmp_path: Path) -> None:
    root = vault({"jane.md": JANE})
    target = root / "jane.md"
    stop = tmp_path / "stop"
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(target), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    codes = []
    try:
        for n in range(60):
            result = run(root, "log", "jane", f"entry {n}", "--date", "2026-01-02")
            codes.append(result.exit_code)
            if result.exit_code == 7:
                assert "nothing was written" in result.stderr
    finally:
        stop.touch()
        out, err = editor.communicate(timeout=120)
    assert err == ""
    saves, lost = map(int, out.split())
    assert saves > 0
    assert lost == 0
    assert set(codes) <= {0, 7}
    assert set(JANE.splitlines()) <= set(target.read_bytes().splitlines())
