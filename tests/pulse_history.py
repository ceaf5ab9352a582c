"""A small business with a known history, built as real git commits dated in the past.

Six customers of Ann Archer (owner ``ann``) and Bob Brown (``bob``). Every commit below is
made with its own author and date (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE); the figures the
pulse must give for it on 2026-11-22 are worked out by hand in tests/test_pulse.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ANN = ("Ann Archer", "ann@example.com")
BOB = ("Bob Brown", "bob@example.com")


def profile(name: str, status: str, owner: str, since: str | None = None,
            extra: str = "", tasks: str = "", log: str = "") -> str:
    lines = ["---", f"name: {name}", f"status: {status}", f"owner: {owner}",
             "email: " + name.split()[0].lower() + "@example.com"]
    if since:
        lines.append(f"customer_since: {since}")
    lines += [line for line in extra.splitlines() if line]
    lines += ["---", "", tasks.rstrip("\n"), "", "## Log", "", log.rstrip("\n"), ""]
    return "\n".join(lines)


ALICE = dict(name="Alice Adams", owner="ann", since="2020-03-01",
             extra="service_due: 2026-12-05\nservice_every: 1 year")
BERT = dict(name="Bert Bell", owner="bob", since="2021-06-01")
CARA = dict(name="Cara Cole", owner="ann", since="2022-01-10")
EVE = dict(name="Eve Evans", owner="ann", since="2021-02-01")
FAY = dict(name="Fay Ford", owner="bob", extra="service_due: 2026-09-15\nservice_every: 1 year")
ALICE_TASK_OPEN = "- [ ] 2026-11-10 Send the quote"
ALICE_TASK_DONE = "- [x] 2026-11-10 Send the quote"
ALICE_LOG = ["- 2026-09-01 call: Asked about the radiators.",
             "- 2026-09-02 voicemail: Left a message about the service.",
             "- 2026-11-20 visit: Bled the radiators."]
EVE_LOG = ["- 2025-01-10 call: Happy with the new boiler.",
           "- 2027-01-05 call: A date typed a year ahead."]


def _commit(root: Path, when: str, who: tuple[str, str], files: dict[str, str],
            message: str) -> None:
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1],
           "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1],
           "GIT_AUTHOR_DATE": f"{when}T12:00:00+00:00",
           "GIT_COMMITTER_DATE": f"{when}T12:00:00+00:00"}
    subprocess.run(["git", "add", "--", *files], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, check=True, env=env)


def build(root: Path, git: bool = True) -> Path:
    """Write the vault at ``root``, with its history when ``git``, and leave one change
    uncommitted (Fay's newest entry). Without ``git`` only the final files are written."""
    root.mkdir(parents=True)
    steps = _steps()
    if not git:
        final: dict[str, str] = {}
        for _when, _who, files, _message in steps:
            final.update(files)
        for rel, text in final.items():
            (root / rel).write_text(text, encoding="utf-8")
    else:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        for when, who, files, message in steps:
            _commit(root, when, who, files, message)
    fay = _fay(["- 2026-09-20 service: Annual service.", "- 2026-11-02 email: Sent the invoice."])
    (root / "fay-ford.md").write_text(fay, encoding="utf-8")  # not committed
    return root


def _fay(log: list[str]) -> str:
    return profile(status="active", log="\n".join(log), **FAY)  # type: ignore[arg-type]


def _steps() -> list[tuple[str, tuple[str, str], dict[str, str], str]]:
    a, b, c, e = ALICE, BERT, CARA, EVE
    dan_lead = profile("Dan Dale", "lead", "bob")
    dan_called = profile("Dan Dale", "lead", "bob", log="- 2026-09-06 call: Wants a quote.")
    dan_active = profile("Dan Dale", "active", "bob", since="2026-10-15",
                         tasks="- [ ] 2026-11-01 Send the contract @ann",
                         log="- 2026-09-06 call: Wants a quote.\n"
                             "- 2026-10-15 visit: Signed up for the annual plan.")
    return [
        ("2020-03-01", ANN, {"alice-adams.md": profile(status="active", tasks=ALICE_TASK_OPEN,
                                                       **a)}, "Add Alice"),
        ("2021-02-01", ANN, {"eve-evans.md": profile(status="active", log="\n".join(EVE_LOG),
                                                     **e)}, "Add Eve"),
        ("2021-06-01", BOB, {"bert-bell.md": profile(status="active", **b)}, "Add Bert"),
        ("2022-01-10", ANN, {"cara-cole.md": profile(status="active", **c)}, "Add Cara"),
        ("2023-05-01", BOB, {"fay-ford.md": _fay([])}, "Add Fay"),
        ("2024-02-01", BOB, {"bert-bell.md": profile(
            status="lost", log="- 2024-01-15 call: Moving away.", **b)}, "Bert lost"),
        ("2026-06-10", ANN, {"cara-cole.md": profile(
            status="active", log="- 2026-06-10 email: Asked about a discount.", **c)},
         "Cara's email"),
        ("2026-09-01", ANN, {"alice-adams.md": profile(
            status="active", tasks=ALICE_TASK_OPEN, log=ALICE_LOG[0], **a)}, "Alice call"),
        ("2026-09-02", BOB, {"alice-adams.md": profile(
            status="active", tasks=ALICE_TASK_OPEN, log="\n".join(ALICE_LOG[:2]), **a)},
         "Alice voicemail"),
        ("2026-09-05", BOB, {"dan-dale.md": dan_lead}, "Add Dan"),
        ("2026-09-06", ANN, {"dan-dale.md": dan_called}, "Dan call"),
        ("2026-09-20", BOB, {"fay-ford.md": _fay(["- 2026-09-20 service: Annual service."])},
         "Fay service"),
        ("2026-10-01", ANN, {"cara-cole.md": profile(
            status="dormant", log="- 2026-06-10 email: Asked about a discount.", **c)},
         "Cara dormant"),
        ("2026-10-01", ANN, {"eve-evans.md": profile(
            status="active", log="\n".join([EVE_LOG[0], "- 2026-10-01 no-answer: Rang twice.",
                                            EVE_LOG[1]]), **e)}, "Eve no answer"),
        ("2026-10-15", BOB, {"dan-dale.md": dan_active}, "Dan active"),
        ("2026-11-12", BOB, {"alice-adams.md": profile(
            status="active", tasks=ALICE_TASK_DONE, log="\n".join(ALICE_LOG[:2]), **a)},
         "Alice quote sent"),
        ("2026-11-20", BOB, {"alice-adams.md": profile(
            status="active", tasks=ALICE_TASK_DONE, log="\n".join(ALICE_LOG), **a)},
         "Alice visit"),
    ]
