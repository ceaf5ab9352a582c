"""Measure plaincrm against the naive baseline and write docs/performance.md.

    python -m benchmarks.run --sizes 1000,10000,100000 --repeat 5

For each size it generates the vault if needed (``benchmarks/generate.py``, seeded), then runs,
side by side and several times each, the naive baseline (``benchmarks/baseline.py``) and the
plaincrm commands, each as its own subprocess with stdout to /dev/null. It reports the median
wall time, the ratio to the baseline's median and the peak RSS of each (``os.wait4``'s
``ru_maxrss`` of that very child). The index lives in a temporary ``PLAINCRM_CACHE_DIR``; the
OS file cache is warm for everyone (each command runs once untimed first), so "cold" means no
plaincrm index, not a cold disk.

A command plaincrm does not have (yet) exits 2 with "No such command" and is reported as n/a.
Not part of the test suite: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from benchmarks import generate_other
from benchmarks.generate import VAULTS, generate

ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-11-22"
DEFAULT_OUT = ROOT / "docs" / "performance.md"
RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    args: tuple[str, ...]  # plaincrm arguments after --vault V; () for the baseline
    prepare: str = "warm"  # warm | cold | one-change | new-day


# The plaincrm commands measured. {day} is a day no run has asked about yet (each run is the
# first of a new day), {name} and {phone} a profile's name and phone as written in its file,
# {national} that phone as caller ID shows it in the UK (+44 113 496 0584 → 0113 496 0584).
CASES = (
    Case("baseline", "naive baseline (python-frontmatter loop)", ()),
    Case("cold-index", "plaincrm index, cold (no index)", ("index",), "cold"),
    Case("agenda-day", "plaincrm agenda, first run of a new day", ("agenda", "--date", "{day}"),
         "new-day"),
    Case("agenda", "plaincrm agenda, same day again", ("agenda", "--date", DATE)),
    Case("agenda-1", "plaincrm agenda, one profile changed", ("agenda", "--date", DATE),
         "one-change"),
    Case("check", "plaincrm check", ("check", "--date", DATE)),
    Case("calendar-day", "plaincrm calendar, first run of a new day",
         ("calendar", "--date", "{day}"), "new-day"),
    Case("calendar", "plaincrm calendar, same day again", ("calendar", "--date", DATE)),
    Case("show", "plaincrm show NAME", ("show", "{name}", "--date", DATE)),
    Case("show-phone", "plaincrm show PHONE (caller-ID lookup)",
         ("show", "{phone}", "--date", DATE)),
    Case("show-national", "plaincrm show 0113 496 0584 (caller ID, national format)",
         ("show", "{national}", "--date", DATE)),
    Case("list", "plaincrm list, warm", ("list",)),
    Case("list-1", "plaincrm list, one profile changed", ("list",), "one-change"),
    Case("index", "plaincrm index, warm (nothing changed)", ("index",)),
    Case("pulse", "plaincrm pulse", ("pulse", "--date", DATE)),
    # the commands that write every profile or every row out: their memory
    Case("agenda-json", "plaincrm agenda --json", ("agenda", "--json", "--date", DATE)),
    Case("export", "plaincrm export --format csv", ("export", "--format", "csv")),
)
GENERATORS = ("project", "other")  # benchmarks/generate.py, benchmarks/generate_other.py

# (case, limit as a ratio to the baseline, stand-in case while the command is missing)
RATIO_TARGETS = {
    10_000: [("agenda-day", 0.4, None), ("agenda", 0.2, None), ("agenda-1", 0.25, None),
             ("calendar-day", 0.5, None), ("show", 0.15, None), ("show-phone", 0.15, None),
             ("show-national", 0.15, None),
             ("list", 0.3, None), ("check", 1.5, None), ("cold-index", 2.0, None),
             ("pulse", 1.0, None)],  # issue 17: below the baseline's time
}
RSS_TARGET_SIZE, RSS_LIMIT_MIB = 100_000, 200
# sizes whose time targets are judged: each timed run follows a run of the baseline, and the
# ratio is the median of the pairs (a shared machine's speed drifts during a run)
PAIRED_SIZES = frozenset(RATIO_TARGETS)
RSS_CASES = tuple(c.key for c in CASES[1:])  # every command


@dataclass
class Result:
    case: Case
    times: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    status: str = "ok"  # ok | n/a | failed: ...
    argv: list[str] = field(default_factory=list)
    # the baseline's time in the run just before each of ``times`` (paired sizes only)
    paired: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def peak_mib(self) -> float | None:
        return max(self.rss_kib) / 1024 if self.rss_kib else None

    def ratio(self, base: float | None) -> float | None:
        """The time as a multiple of the baseline's: the median of each run over the baseline
        run just before it when the runs were paired, else the median over ``base``."""
        if self.paired and len(self.paired) == len(self.times):
            return statistics.median(t / b for t, b in zip(self.times, self.paired, strict=True))
        return self.median / base if self.median is not None and base else None


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run one subprocess, stdout to /dev/null: (seconds, exit code, peak RSS KiB, stderr)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return elapsed, proc.returncode, usage.ru_maxrss, stderr  # ru_maxrss is in KiB on Linux


class OneChange:
    """Edits one profile before each repetition (appends a log entry) and restores them all."""

    def __init__(self, vault: Path) -> None:
        self.files = sorted(vault.rglob("*.md"))
        self.saved: dict[Path, bytes] = {}
        self.count = 0

    def __call__(self) -> None:
        path = self.files[(self.count * 7919) % len(self.files)]
        self.count += 1
        data = self.saved.setdefault(path, path.read_bytes())
        path.write_bytes(data + f"- {DATE} call: benchmark edit {self.count}.\n".encode())

    def restore(self) -> None:
        for path, data in self.saved.items():
            path.write_bytes(data)
        self.saved.clear()


def a_profile(vault: Path) -> tuple[str, str]:
    """The file name (names may be shared) and the phone, as written, of the first profile
    (by path) that has a phone."""
    for path in sorted(vault.rglob("*.md")):
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        if fields.get("phone", "").startswith('"'):
            return path.stem, fields["phone"].strip('"')
    raise SystemExit(f"no profile with a name and a phone in {vault}")


# (generator, size) -> whether the vault's profiles are committed to git (pulse reads their
# history only then)
HISTORY: dict[tuple[str, int], bool] = {}


def committed(vault: Path) -> bool:
    """Whether any file of ``vault`` is committed to git (the generated vaults, under the
    git-ignored ``benchmarks/vaults/``, are not unless made a repository of their own)."""
    found = subprocess.run(["git", "-C", str(vault), "log", "-1", "--format=%h", "--", "."],
                           capture_output=True, text=True)
    return found.returncode == 0 and bool(found.stdout.strip())


def national(phone: str) -> str:
    """A +44 phone as a UK caller ID shows it: the trunk zero for the country code."""
    return "0" + phone.removeprefix("+44").strip() if phone.startswith("+44") else phone


# bump when a generator writes other files for the same size and seed: the vault is made anew
GENERATION = 2


def measure_size(size: int, repeat: int, seed: int, log: Callable[[str], None],
                 overrides: dict[str, list[str]], generator: str = "project",
                 only: frozenset[str] = frozenset()) -> list[Result]:
    vault = VAULTS / (str(size) if generator == "project" else f"{generator}-{size}")
    marker = vault / ".generated"
    size_label = f"{generator} {size}"
    if marker.is_file() and marker.read_text() == f"{size} {seed} {GENERATION}\n":
        log(f"[{size_label}] using {vault}")
    else:
        log(f"[{size_label}] generating {vault} (seed {seed})")
        (generate if generator == "project" else generate_other.generate)(size, seed, vault)
        marker.write_text(f"{size} {seed} {GENERATION}\n")
    name, phone = a_profile(vault)
    HISTORY[(generator, size)] = committed(vault)
    days = iter(range(1, 10**6))  # a new day for every run of a new-day case
    cache = Path(tempfile.mkdtemp(prefix="plaincrm-bench-cache-"))
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    env.pop("PLAINCRM_VAULT", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed plaincrm has its bytecode
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "plaincrm")],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    plaincrm = [sys.executable, "-m", "plaincrm", "--vault", str(vault)]
    results = []
    pair_with: Result | None = None
    try:
        for case in CASES:
            if only and case.key not in only and case.key != "baseline":
                continue
            result = Result(case)
            results.append(result)
            if case.key == "baseline":
                result.argv = [sys.executable, "-m", "benchmarks.baseline", str(vault),
                               "--date", DATE]
                pair_with = result if size in PAIRED_SIZES else None
            else:
                result.argv = [*plaincrm, *overrides.get(case.key, case.args)]
            template = list(result.argv)

            def fill(result: Result = result, template: list[str] = template) -> None:
                day = (dt.date.fromisoformat(DATE) + dt.timedelta(days=next(days))).isoformat()
                result.argv[:] = [a.format(day=day, name=name, phone=phone,
                                           national=national(phone)) if "{" in a else a
                                  for a in template]

            fill()
            # an untimed run: warms the OS file cache and the index, and finds missing commands
            _t, code, _rss, stderr = run_child(result.argv, env)
            if code == 2 and "No such option" in stderr and "--date" in result.argv:
                at = result.argv.index("--date")  # a command that does not depend on the day
                result.argv[at:at + 2] = []
                _t, code, _rss, stderr = run_child(result.argv, env)
            if code == 2 and "No such command" in stderr:
                result.status = "n/a"
                log(f"[{size_label}] {case.label}: n/a (no such command)")
                continue
            if code not in (0, 1):
                result.status = f"failed: exit {code}: {stderr.strip().splitlines()[-1:]}"
                log(f"[{size_label}] {case.label}: {result.status}")
                continue
            changer = OneChange(vault) if case.prepare == "one-change" else None
            for _ in range(repeat):
                if pair_with is not None:  # the baseline just before: the same machine
                    seconds, code, _rss, stderr = run_child(pair_with.argv, env)
                    result.paired.append(seconds)
                if case.prepare == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                    cache.mkdir()
                if changer is not None:
                    changer()
                fill()
                seconds, code, rss, stderr = run_child(result.argv, env)
                if code not in (0, 1):
                    result.status = f"failed: exit {code}: {stderr.strip().splitlines()[-1:]}"
                    break
                result.times.append(seconds)
                result.rss_kib.append(rss)
            if changer is not None:
                changer.restore()
                run_child([*plaincrm, "index"], env)  # back to a warm index for the next case
            log(f"[{size_label}] {case.label}: median {fmt_s(result.median)}, "
                f"peak {fmt_mib(result.peak_mib)}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return results


# ------------------------------------------------------------------ report


def fmt_s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f} s"


def fmt_mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MiB"


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return {"CPU": cpu, "Cores": f"{usable} usable ({os.cpu_count()} in the machine)",
            "RAM": ram, "Python": f"{platform.python_version()} ({sys.executable})",
            "OS": platform.platform(), "plaincrm commit": commit}


def _runs(all_results: dict[tuple[str, int], list[Result]]) -> str:
    """How many timed runs each size had: ``5 runs``, or ``5 runs at 10,000, 1 run at 100,000
    profiles`` (a report may join the runs of several invocations, see --reuse)."""
    counts = {size: max(len(r.times) for r in results)
              for (_generator, size), results in all_results.items() if results}
    if len(set(counts.values())) <= 1:
        return f"{next(iter(counts.values()), 0)} runs"
    return ", ".join(f"{n} run{'s' if n != 1 else ''} at {size:,}"
                     for size, n in sorted(counts.items())) + " profiles"


def report(all_results: dict[tuple[str, int], list[Result]], repeat: int, command: str) -> str:
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    out = [
        "# Performance",
        "",
        "How long plaincrm takes on vaults of 1,000 to 100,000 generated profiles, next to the",
        "naive script a user would otherwise write: a python-frontmatter loop that loads every",
        "profile and prints the birthdays and services due in the next 7 days",
        "(`benchmarks/baseline.py`). Each command runs as its own process with stdout to",
        f"/dev/null and `--date {DATE}`; every figure is the median of {_runs(all_results)},",
        "after one untimed run that warms the OS file cache. \"Cold\" means no plaincrm index",
        "(its cache folder emptied before each run), not a cold disk. Peak RSS is the largest",
        "resident set of the process over the runs.",
        "",
        "Reproduce with the environment the README's quick start makes (`.venv`; the vaults",
        "are generated, seeded, into the git-ignored `benchmarks/vaults/`):",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Run on {when}.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in machine().items()),
        "",
        "## Targets",
        "",
        "From issue 12. At the sizes with time targets every timed run of a command follows a",
        "run of the baseline, and its ratio is the median of those pairs (the machine is",
        "shared, and its speed drifts during a run); elsewhere a ratio is plaincrm's median",
        "over the baseline's median in the same run. Two vaults are written by independent",
        "generators (`project`:",
        "`benchmarks/generate.py`; `other`: `benchmarks/generate_other.py`); the targets apply",
        "at 10,000 profiles (times) and 100,000 (memory), and a size not run here has no rows.",
        "Peak RSS is the kernel's `ru_maxrss` for the command's process: the largest of it and",
        "of its worker processes (a cold index forks one per core), not their sum.",
        "",
        "| Vault | Size | Target | Limit | Measured | |",
        "|---|---:|---|---:|---:|---|",
    ]
    for (generator, size), results in all_results.items():
        targets = RATIO_TARGETS.get(size)
        if targets is None:
            continue
        by_key = {r.case.key: r for r in results}
        base = by_key["baseline"].median
        for key, limit, stand_in in targets:
            r = by_key[key]
            label = r.case.label.removeprefix("plaincrm ")
            if (ratio := r.ratio(base)) is not None:
                verdict = "met" if ratio <= limit else "**missed**"
                out.append(f"| {generator} | {size:,} | {label} | ≤ {limit:g}× | {ratio:.3f}× "
                           f"| {verdict} |")
            else:
                note = r.status
                if stand_in and by_key[stand_in].median is not None and base:
                    s = by_key[stand_in]
                    note += (f"; stand-in {s.case.label.removeprefix('plaincrm ')}: "
                             f"{s.median / base:.3f}×")
                out.append(f"| {generator} | {size:,} | {label} | ≤ {limit:g}× | n/a | {note} |")
    for (generator, size), rss in all_results.items():
        if size != RSS_TARGET_SIZE:
            continue
        chosen = [r for r in rss if r.case.key in RSS_CASES]
        measured = [r for r in chosen if r.peak_mib is not None]
        worst = max(measured, key=lambda r: r.peak_mib or 0.0, default=None)
        if worst is not None:
            verdict = "met" if (worst.peak_mib or 0) <= RSS_LIMIT_MIB else "**missed**"
            ok = {r.case.key for r in chosen if r.status == "ok"}
            missing = [key for key in RSS_CASES if key not in ok]
            note = verdict + (f" (not measured: {', '.join(missing)})" if missing else "")
            out.append(f"| {generator} | {RSS_TARGET_SIZE:,} | peak RSS of every command | "
                       f"≤ {RSS_LIMIT_MIB} MiB | {worst.peak_mib:.0f} MiB "
                       f"({worst.case.key}) | {note} |")
    for (generator, size), results in all_results.items():
        base = results[0].median
        out += ["", f"## {size:,} profiles, {generator} vault", "",
                "| Measurement | Median | × baseline | Peak RSS | Runs |",
                "|---|---:|---:|---:|---|"]
        for r in results:
            found = r.ratio(base)
            ratio = "1" if r.case.key == "baseline" else (
                "n/a" if found is None else f"{found:.3f}")
            runs = ", ".join(f"{t:.2f}" for t in r.times) if r.times else r.status
            out.append(f"| {r.case.label} | {fmt_s(r.median)} | {ratio} | "
                       f"{fmt_mib(r.peak_mib)} | {runs} |")
        out += ["", "Commands (`V` is the vault):", ""]
        for r in results:
            shown = ["V" if a.endswith(f"{size}") and "vaults/" in a else a for a in r.argv]
            shown[0] = "python"
            out.append(f"- {r.case.label}: `{' '.join(shown)}`")
    out += pulse_notes(all_results)
    out += why_missed(all_results)
    out += code_size()
    out += ["", HOW_IT_IS_FAST.strip()]
    return "\n".join(out) + "\n"


def pulse_notes(all_results: dict[tuple[str, int], list[Result]]) -> list[str]:
    """What the pulse rows measured (issue 17: below the baseline at 10,000 profiles, growing
    linearly): whether the vaults had a git history to read, and the growth between sizes."""
    runs = {key: r for key, results in all_results.items() for r in results
            if r.case.key == "pulse" and r.median is not None}
    if not runs:
        return []
    out = ["", "## pulse", ""]
    without = [f"{generator} {size:,}" for (generator, size) in runs
               if not HISTORY.get((generator, size))]
    if without:
        out.append(f"The pulse rows ({', '.join(without)}) read no git history: the "
                   "generated vaults are not committed (they live in the git-ignored "
                   "`benchmarks/vaults/`), so `pulse` computes its figures from the profiles "
                   "and says \"no status history\"; the history part (one `git log -p` pass, "
                   "kept in the index's side store) is not in these times.")
    for generator in dict.fromkeys(g for g, _s in runs):
        sizes = sorted(size for g, size in runs if g == generator)
        for small, large in pairwise(sizes):
            a, b = runs[(generator, small)].median or 0.0, runs[(generator, large)].median or 0.0
            out.append(f"- {generator}: {a:.2f} s at {small:,} profiles, {b:.2f} s at "
                       f"{large:,} (×{b / a:.1f} for ×{large / small:g} the profiles; "
                       "start-up is in both).")
    return out


def why_missed(all_results: dict[tuple[str, int], list[Result]]) -> list[str]:
    """A paragraph for each target missed in this run: what its time is spent on."""
    missed: dict[str, list[str]] = {}
    for (generator, size), results in all_results.items():
        by_key = {r.case.key: r for r in results}
        base = by_key["baseline"].median
        for key, limit, _stand_in in RATIO_TARGETS.get(size, []):
            r = by_key.get(key)
            if r is not None and (ratio := r.ratio(base)) is not None and ratio > limit:
                missed.setdefault(key, []).append(f"{generator} {ratio:.2f}×")
        if size == RSS_TARGET_SIZE:
            for r in results:
                if r.case.key in RSS_CASES and (r.peak_mib or 0) > RSS_LIMIT_MIB:
                    missed.setdefault("rss", []).append(f"{r.case.key} {r.peak_mib:.0f} MiB")
    if not missed:
        return []
    out = ["", "## Targets missed in this run, and why", "",
           "Measured on a shared 2-core machine whose speed drifts during a run: each timed",
           "run at 10,000 profiles follows a run of the baseline, and the ratio is the median",
           "of those pairs; a verdict within a few hundredths of its limit can still go either",
           "way from one run to the next (compare earlier reports).", ""]
    for key, where in missed.items():
        out.append(f"- **{key}** ({', '.join(where)}): {WHY[key]}")
    return out


def code_size() -> list[str]:
    """Lines of the index's own code (issue 12: it must end smaller than the 1,090 lines of
    the index and its caches before the redesign), and of the modules it calls."""
    def lines(name: str) -> int:
        return len((ROOT / "plaincrm" / name).read_text(encoding="utf-8").splitlines())

    own, called = ("index.py", "codec.py"), ("vault.py", "parse.py", "reminders.py")
    out = ["", "## Size of the index code", "",
           "The derived store's own code (the tables, their queries, the rows' encoding) "
           "against 1,090 lines of the index and its caches before issue 12; the modules it "
           "calls are the stages every command shares (finding files, parsing, the reminder "
           "model) and are counted apart.", "",
           "| Module | Lines |", "|---|---:|"]
    out += [f"| plaincrm/{name} | {lines(name):,} |" for name in own]
    out.append(f"| **the store** | **{sum(lines(n) for n in own):,}** |")
    out += [f"| plaincrm/{name} (called) | {lines(name):,} |" for name in called]
    return out


# what each target's time is spent on, for the report of a target missed (see docs/performance.md)
WHY = {
    "cold-index": "parsing is most of it. The front matter of a plain profile is read by a "
                  "line reader and its body by a line scanner (libyaml and markdown-it only "
                  "for what those cannot answer); what is left is making the records and "
                  "their rows (about 0.2 ms a profile: the reminder rules, the stored profile) "
                  "and writing them. It runs in one worker process per core, so it gains "
                  "only as far as both cores are free.",
    "check": ("the checks left to run: decoding every stored profile, the date and stale "
              "checks and the blocks of the duplicate rule; the checks that do not depend on "
              "the day are read from the index (it ran them when it read each file), and so "
              "are the phones' verdicts of an earlier check."),
    "agenda": "start-up and imports (about 0.1 s: click, dataclasses and plaincrm's own "
              "modules; nothing the answer does not need), the walk that stats every file to "
              "find what changed (about 0.06 s per 10,000 files) and the day's rules: one "
              "scan of the rules table giving about 10,000 rows (about 0.03 s) and, for each, "
              "its rule and reminder, sorted into its section (about 6 µs a row). Both "
              "generated vaults leave most customers overdue for a contact, so the agenda has "
              "about 11,000 items, of which the text shows 15 a section; a vault whose "
              "customers are looked after has far fewer.",
    "agenda-1": "as the agenda of the same day, plus reading the one changed file (which "
                "loads the parser; not the email validator when the index knows the "
                "domains of the file's emails) and writing its rows.",
    "agenda-day": "as the agenda of the same day: the rules of any day are one scan of the "
                  "rules table.",
    "calendar-day": "serializing the events of the profiles whose kept events are not the "
                    "day's (icalendar, about 1 ms an event), and reading and sorting the kept "
                    "ones.",
    "show": "start-up and imports, and the stat walk that makes sure the index is current.",
    "show-phone": "start-up and imports, and the stat walk that makes sure the index is "
                  "current.",
    "show-national": "start-up and imports, the stat walk, and reading the number with the "
                     "phone library (a caller ID written another way than in the file).",
    "list": "the stat walk and printing a line per profile.",
    "pulse": "reading every profile's lean rows (its log and tasks) from the index and "
             "computing the figures in Python (plaincrm/pulse/).",
    "rss": "see the 100,000-profile table.",
}


HOW_IT_IS_FAST = """
## How plaincrm stays fast

One derived store, no caches on top: the index (`plaincrm/index.py`, in the user cache
folder, never in the vault, deleted at any time) holds the vault as tables, and every
command is a query over them.

- **Files** are keyed by (mtime, ctime, inode, size): a command re-reads only files that
  changed, and each changed file's rows (its profile, contact points, tasks, log entries,
  reminder rules, problems) are replaced together in one transaction. The stored profiles
  (a marshalled blob each, from which `list --json` and export make their summaries) have
  a table of their own, so the questions that scan the profiles' columns (contact points,
  recall, listings) read a small table.
- **Reminder rules** are date-independent (a due date; a yearly month and day; a once-date;
  a keep-in-touch due every day), so the agenda of *any* day, the first of a new day
  included, is one pass over the rules table alone in its own order (a partial index
  answers the longest yearly window); `plaincrm/reminders.py` turns each rule found into
  that day's reminder, as it does for the plain model. Each section is sorted, and the text
  agenda makes the items of the rows it shows only (15 a section, `heapq.nsmallest`), then
  asks the index what to recall of those people and whom to call, by path: joined to every
  rule, that was a third of the query and a log entry made for each of about 10,000 rows
  never printed (0.76 and 0.84 of the previous build's time, farm-bench, 20 pairs). The
  data-quality rows carry their profile's owner, name and id in the problems table, in its
  index's order: no join, no sort. The values made for each row (rule, reminder) are plain
  slotted dataclasses: a frozen one's `__init__` costs six times as much.
- **show and lookup** find the profile by its folded names or its contact points (emails
  folded, phones by their last nine digits, no phone library unless the number is written
  another way than in the file) and decode one row; `list` reads only the columns it prints.
- **The calendar** is one query for `calendar`, `watch` and `serve`: each rule is an event,
  whose bytes (serialized once with icalendar) are kept beside the file's rows and deleted
  with them; SQL picks the kept events that are still the day's and sorts them, and only
  profiles with an event missing or not the day's are worked out and serialized again. The
  query walks the events in their own order and looks up each one's rule and profile by
  key: left to itself SQLite walked the rules and fetched their events (27 MB at 10,000
  profiles) at random, 3 times slower.
- **A cold index** parses and derives every file's rows in one worker process per core
  (from 500 changed files up; the first file is read before the fork, so the parser and the
  checks are imported once) and sends them to the writer as marshal bytes, which writes each
  500 files' rows while the workers read on; phones need no phone library, and an email's
  verdict is worked out once per domain when its local part is plain.
- **Email domains' verdicts** are kept in the index (a `domains` table, dropped with it):
  re-reading an edited file whose email domains the index has seen needs no email
  validator, whose import alone is 42 ms. The agenda after one edit went from 0.23 to 0.20
  of the baseline's time with it (farm-bench, 7 pairs, 10,000 profiles);
  `tests/test_perf_imports.py` checks the validator stays unloaded.
- **check** reads the problems of the checks that do not depend on the day from the index
  (it ran them when it read each file) and runs only the others. Its memory stays flat: the
  duplicate rule keeps each profile as one marshal bytes object and its blocks (emails,
  phones, names, evidence for alike names) as 64-bit integers (a key's hash and the
  profile's number) in sorted arrays, not dicts of strings; `--json` is written a problem at
  a time. Its time grows with the vault, not with the square of its largest blocks: each
  profile's evidence keys are worked out once (their hashes kept with the profile), a pair of
  a block is tried on the cheapest test first, and namesakes are counted by groups of one
  name.
- **Phones' verdicts** are kept in the index by check (a `phones` table under each file's
  rows, deleted with them, and forgotten for another region or phonenumbers version):
  reading a phone with the phone library is about 90 µs, a quarter of a check. A check after
  a check reads only the phones of the files changed between them: 0.77 and 0.75 of the
  previous build's time on the two 10,000-profile vaults (farm-bench, 5 pairs each); the
  first check after the index is built costs what it did (4.6–5.0 s against 4.5–4.9 s).
  The tables above measure a check after a check; the first one after a build, at 100,000
  profiles of the independent generator, peaks at 196 MiB (the phone library's numbering
  plans are loaded, and the new verdicts held until the pass ends), the one after it at
  190 MiB (`/usr/bin/time`). `tests/test_check_phones_kept.py` counts the phones read.
- **pulse** reads the profiles' lean rows (no stored profile is decoded) a few hundred at a
  time from one read transaction and adds each profile into the figures' sums as it goes:
  memory holds the sums and a few numbers per profile (its days as a customer), not the
  1.5 million log entries of 100,000 profiles (`tests/test_pulse_memory.py`).
- **Start-up** loads only what the command uses: no email validator, markdown parser,
  phone library, platformdirs (with `PLAINCRM_CACHE_DIR`) or outreach scheduling unless
  needed (`tests/test_perf_imports.py` counts them): caller ID with the number's digits as
  written needs no phone library, and `show` finds the notes' headings and tasks with the
  parser's line scanner; `--json` is written without json's slow indenting encoder (the same
  bytes).
- **Exit** skips tearing the interpreter down (freeing every module and object, a last
  collection: 20-30 ms of a warm agenda): once a command is done, its output flushed and the
  exit handlers run, `plaincrm` leaves with `os._exit`, unless another thread still runs or
  a profiler watches (`tests/test_cli_exit.py`). The agenda of the same day: 0.89 of the
  previous build's time (farm-bench, 30 pairs).
- **Writing everything out** holds no more than reading does: `agenda --json`, `list --json`
  and `check --json` write a row at a time, and `export` a card or a CSV line at a time (the
  CSV reads the contacts twice: the header counts the columns all of them need). At 100,000
  profiles `agenda --json` peaked at 514 MiB and `export --format csv` at 328 MiB (vCards
  405 MiB) before; `tests/test_agenda_memory.py` and `tests/test_export_memory.py` measure
  the peak with tracemalloc.

What remains grows with the vault: the stat walk that finds changed files (about
0.06 s per 10,000 files; the `stat` calls themselves are most of it) and, for the agenda,
the day's rules: both generated vaults leave most customers overdue for a contact, so about
10,000 rules fall in the agenda's window, each made into its rule and reminder and sorted
into its section (about 6 µs a row).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark plaincrm against the naive "
                                                 "baseline and write docs/performance.md.")
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated vault sizes (default: 1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (default: 5)")
    parser.add_argument("--seed", type=int, default=8, help="the generator's seed (default: 8)")
    parser.add_argument("--generators", default=",".join(GENERATORS),
                        help=f"comma-separated vault generators (default: {','.join(GENERATORS)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="the report to write (default: docs/performance.md)")
    parser.add_argument("--args", action="append", default=[], metavar="CASE=ARGS",
                        help="replace the plaincrm arguments of one case, e.g. "
                             "--args 'calendar=calendar --date 2026-11-22 -o /tmp/c.ics'; "
                             f"cases: {', '.join(c.key for c in CASES[1:])}")
    parser.add_argument("--reuse", type=Path, action="append", default=[], metavar="JSON",
                        help="take the vaults this run does not measure from the raw results "
                             "of an earlier run (benchmarks/results/*.json), e.g. a long "
                             "100,000-profile run")
    parser.add_argument("--cases", action="append", default=[], metavar="[SIZE=]CASES",
                        help="comma-separated cases to run besides the baseline (default: all), "
                             "at every size or at SIZE only (then on the project vault "
                             "only), e.g. --cases 100000=check,index")
    args = parser.parse_args(argv)
    only: dict[int | None, frozenset[str]] = {}
    for item in args.cases:
        size_text, _, names = item.rpartition("=")
        only[int(size_text.replace("_", "")) if size_text else None] = frozenset(
            c for c in names.split(",") if c)
        if unknown := only[int(size_text) if size_text else None] - {c.key for c in CASES}:
            parser.error(f"--cases: unknown case {', '.join(sorted(unknown))}")
    overrides = {}
    for item in args.args:
        key, _, rest = item.partition("=")
        if key not in {c.key for c in CASES[1:]}:
            parser.error(f"--args: unknown case {key!r}")
        overrides[key] = shlex.split(rest)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    generators = args.generators.split(",")
    all_results = {(generator, size): measure_size(size, args.repeat, args.seed, log, overrides,
                                                   generator,
                                                   only.get(size, only.get(None, frozenset())))
                   for size in sizes for generator in generators
                   if generator == "project" or size not in only}
    command = (f".venv/bin/python -m benchmarks.run --sizes {','.join(map(str, sizes))} "
               f"--repeat {args.repeat}")
    if args.generators != ",".join(GENERATORS):
        command += f" --generators {args.generators}"
    for item in args.cases:
        command += f" --cases {item}"
    if args.seed != 8:
        command += f" --seed {args.seed}"
    for item in args.args:
        command += f" --args {shlex.quote(item)}"
    reused: list[str] = []
    earlier_runs: dict[int, int] = {}  # size: timed runs, of the rows reused
    for path in args.reuse:
        for key, value in earlier(path).items():
            if key not in all_results:
                all_results[key] = value
                reused.append(f"{key[0]} {key[1]:,}")
                earlier_runs[key[1]] = max(len(r.times) for r in value) if value else 0
        command += f" --reuse {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
    all_results = dict(sorted(all_results.items(), key=lambda item: (item[0][1], item[0][0]
                                                                     != "project")))
    text = report(all_results, args.repeat, command)
    if reused:
        made = "; ".join(f"`.venv/bin/python -m benchmarks.run --sizes {size} --repeat {n}`"
                         for size, n in sorted(earlier_runs.items()))
        text = text.replace("\n## Machine\n", f"\nThe rows of {', '.join(reused)} profiles are "
                            f"from an earlier run on the same machine ({made}; its raw "
                            f"results are {', '.join(p.name for p in args.reuse)} in the "
                            "git-ignored `benchmarks/results/`).\n\n## Machine\n", 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    raw = {f"{generator}-{size}": [{"case": r.case.key, "argv": r.argv, "times": r.times,
                                    "rss_kib": r.rss_kib, "status": r.status,
                                    "paired": r.paired} for r in results]
           for (generator, size), results in all_results.items()}
    (RESULTS / f"{stamp}.json").write_text(json.dumps(raw, indent=2) + "\n")
    log(f"wrote {args.out}")
    return 0


def earlier(path: Path) -> dict[tuple[str, int], list[Result]]:
    """The results of an earlier run, from the raw file it wrote."""
    cases = {c.key: c for c in CASES}
    found: dict[tuple[str, int], list[Result]] = {}
    for key, rows in json.loads(path.read_text(encoding="utf-8")).items():
        generator, _, size = key.rpartition("-")
        found[(generator, int(size))] = [
            Result(cases[row["case"]], row["times"], row["rss_kib"], row["status"], row["argv"],
                   row.get("paired", [])) for row in rows if row["case"] in cases]
    return found


if __name__ == "__main__":
    sys.exit(main())
