"""Random vaults through every read command of the real CLI.

Hypothesis writes vaults of random profiles (YAML front matter with anchors, aliases, tabs,
odd dates and durations; bodies with tasks, logs, fences and conflict markers; random bytes;
huge lines), odd file names (not UTF-8, control characters, spaces, glob characters, leading
dashes) and special files (FIFOs, sockets, symlink loops, dangling links, links out of the
vault), sometimes a random plaincrm.toml, and runs agenda, agenda --json, calendar, check,
check --json, list, list --json, show NAME and index with ``--date`` pinned. Every run must end
without a traceback and without hanging, and every file named like a profile must either load
or have a located problem.

The run in CI is short (a few seconds). ``PLAINCRM_LONG_TESTS=1`` runs many more examples:

    PLAINCRM_LONG_TESTS=1 .venv/bin/python -m pytest tests/test_fuzz.py

Crashes it found in code outside the reader are kept below as strict xfail tests, each with
the smallest vault that shows it: when one is fixed, its test passes and the marker must go.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaincrm.vault import shown_path
from tests.readtools import cli, make_socket, no_traceback

LONG = os.environ.get("PLAINCRM_LONG_TESTS") == "1"
EXAMPLES = 400 if LONG else 12
DAYS = ("2026-11-20", "1000-01-01", "8999-12-31", "2024-02-29")

# ---------------------------------------------------------------- strategies: text

KEYS = ("name", "id", "email", "phone", "birthday", "status", "service_due", "service_every",
        "contact_every", "customer_since", "owner", "tags", "check_ignore", "content",
        "contract_end", "wedding", "notes", "<<", "0", "")
YEARS = st.sampled_from(["0000", "0999", "1000", "1900", "2024", "2026", "8999", "9000",
                         "9999"])
DATES = st.builds(lambda y, m, d: f"{y}-{m}-{d}", YEARS,
                  st.sampled_from(["01", "02", "12", "13", "1", "00"]),
                  st.sampled_from(["01", "28", "29", "30", "31", "32", "5"]))
DURATIONS = st.builds(lambda n, u: f"{n} {u}", st.sampled_from([0, 1, 90, 200, 73200, 10**9]),
                      st.sampled_from(["days", "weeks", "months", "years", "y", "fortnights"]))
ODD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
SCALARS = st.one_of(
    DATES, DURATIONS, ODD,
    st.sampled_from(["Ann Archer", "ann@example.com", "not an email", "+44 20 7946 0958",
                     "+1 200 555 0100", "0113 496 012", "active", "lead", "Lost", "@ben",
                     "--02-29", "--13-40", "yes", "NO", "~", "null", "'quoted'", '"dq"',
                     "|", ">", "&a x", "*a", "!!python/object:os.system", "[a, *a]",
                     "{a: 1}", "- x", "@x", "`x`", "%TAG", "\t", "a: b: c", "<<<<<<< HEAD"]),
)


def _value(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """The lines of one value (the first continues its key's line)."""
    kind = draw(st.integers(0, 5 if depth < 3 else 1))
    if kind <= 1:
        return [" " + draw(SCALARS).replace("\n", " ")]
    if kind == 2:
        items = draw(st.lists(SCALARS, max_size=4))
        return [" [" + ", ".join(i.replace("\n", " ") for i in items) + "]"]
    if kind == 3:
        lines = [""]
        for _ in range(draw(st.integers(0, 3))):
            sub = _value(draw, depth + 1)
            lines.append("  " * (depth + 1) + "-" + sub[0])
            lines.extend("  " * (depth + 1) + line for line in sub[1:])
        return lines
    if kind == 4:
        lines = [""]
        for _ in range(draw(st.integers(0, 3))):
            sub = _value(draw, depth + 1)
            lines.append("  " * (depth + 1) + draw(st.sampled_from(KEYS)) + ":" + sub[0])
            lines.extend("  " * (depth + 1) + line for line in sub[1:])
        return lines
    anchor = draw(st.sampled_from(["a", "b"]))
    return [draw(st.sampled_from([f" &{anchor}", f" *{anchor}", f" &{anchor} [*{anchor}]",
                                  f" [*{anchor}, *{anchor}]"]))]


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        value = _value(draw)
        lines.append(draw(st.sampled_from(KEYS)) + ":" + value[0])
        lines.extend(value[1:])
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(SCALARS))
    close = draw(st.sampled_from(["---", "---", "...", "", "--- "]))
    return "---\n" + "\n".join(lines) + ("\n" + close if close else "") + "\n"


BODY_LINES = st.one_of(
    st.builds(lambda d, t: f"- [{t}] {d} task {d} @ben", DATES, st.sampled_from([" ", "x", "X"])),
    st.builds(lambda d, k: f"- {d} {k}: text", DATES, st.sampled_from(["call", "service", "x"])),
    st.sampled_from(["## Log", "# Log", "Log", "---", "===", "```", "~~~", "    - [ ] 2026-01-01",
                     "> - [ ] 2026-01-01 q", "<<<<<<< HEAD", "=======", ">>>>>>> b", "", "* ",
                     "1. - [ ] 2026-01-01", "- [ ]\t2026-01-01 tab", "\x00", "\u2028", "\r"]),
    ODD,
)


@st.composite
def profile_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=300))
    if kind == 1:
        return b""
    if kind == 2:  # a huge line, in the front matter or the body
        line = "x" * draw(st.sampled_from([70_000, 300_000]))
        return f"---\nname: {line}\n---\n- [ ] 2026-01-01 {line}\n".encode()
    text = draw(front_matter()) + "\n".join(draw(st.lists(BODY_LINES, max_size=12))) + "\n"
    data = text.encode("utf-8", "surrogatepass")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "bom", "crlf", "latin-1"]))
    if encoding == "bom":
        data = b"\xef\xbb\xbf" + data
    elif encoding == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif encoding == "latin-1":
        data = text.encode("latin-1", "replace")
    return data


# ---------------------------------------------------------------- strategies: names and files

NAME_PARTS = st.one_of(
    st.sampled_from(["ann", "Müller", "with space", "-leading-dash", "--", "*", "?", "[a]", "{b}",
                     "a*b?c[d]", "日本", "README", "x" * 200, "'q'", '"dq"', "a\\b", "%s", "~"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
            min_size=1, max_size=10),
    st.binary(min_size=1, max_size=6).filter(lambda b: b"/" not in b and b"\x00" not in b)
    .map(os.fsdecode),  # not UTF-8 (a zip from Windows): surrogate escapes
)
FOLDERS = st.one_of(st.just(""), st.just("templates/"), st.just(".hidden/"),
                    NAME_PARTS.map(lambda part: part + "/"))
KINDS = ("file",) * 12 + ("fifo", "socket", "loop", "dangling", "outside", "inside",
                          "folder-outside", "folder-inside", "folder-named-md")


@dataclass
class Entry:
    rel: str  # as os.fsdecode gives it: surrogate escapes for bytes that are not UTF-8
    kind: str
    data: bytes = b""


@st.composite
def entries(draw: st.DrawFn) -> list[Entry]:
    out = []
    for _ in range(draw(st.integers(1, 7))):
        folder = draw(FOLDERS)
        part = draw(NAME_PARTS)
        rel = folder + part + draw(st.sampled_from([".md", ".md", ".md", ".MD", ".txt", ""]))
        kind = draw(st.sampled_from(KINDS))
        data = draw(profile_bytes()) if kind == "file" else b""
        out.append(Entry(rel, kind, data))
    return out


CONFIGS = st.one_of(
    st.none(), st.just("fifo"),
    st.builds(lambda sec, key, val: f"[{sec}]\n{key} = {val}\n",
              st.sampled_from(["agenda", "calendar", "checks", "profiles", "vault", "x"]),
              st.sampled_from(["days", "months", "lead_days", "contact_every", "dates",
                               "severity", "stale_days", "review_days", "statuses", "required",
                               "phone_region", "alarms", "refresh", "name", "me"]),
              st.sampled_from(["7", "-1", "99999999", "1" * 5000, '"x"', "[]", "{}",
                               '{ birthday = 99999999 }', '{ lead = "100000 years" }',
                               '{ contract_end = "once" }', '{ stale = "off" }', '"GB"',
                               "[" * 1200 + "]" * 1200, "true", '"-PT15H"', '{ x = "y" }',
                               "{ active = [\"phone\"] }", '["lead", "active"]'])),
    st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
)

# ---------------------------------------------------------------- building and checking


@dataclass
class Built:
    root: Path
    profiles: set[str] = field(default_factory=set)  # shown paths that must load or be problems


def _expected(rel: str) -> bool:
    """Whether ``rel`` is a profile under the default include/exclude."""
    parts = rel.split("/")
    return (rel.endswith(".md") and not any(p.startswith(".") for p in parts)
            and rel != "README.md" and parts[0] != "templates")


def build(base: Path, files: list[Entry], config: str | None) -> Built:
    root = base / "vault"
    root.mkdir()
    outside = base / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.md").write_text("---\nname: SECRET OUTSIDE\n---\n")
    (outside / "folder" / "x.md").write_text("---\nname: SECRET OUTSIDE\n---\n")
    built = Built(root)
    made: list[str] = []  # regular files made so far, for links inside the vault
    for entry in files:
        path = os.fsencode(root) + b"/" + os.fsencode(entry.rel)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.lexists(path):
                continue
            _make(entry, path, made, outside)
        except OSError:
            continue  # a name the file system refuses (too long, a folder in the way…)
        if entry.kind == "file":
            made.append(entry.rel)
        if entry.kind not in ("folder-inside", "folder-named-md") and _expected(entry.rel):
            built.profiles.add(entry.rel)
    if config == "fifo":
        os.mkfifo(root / "plaincrm.toml")
    elif config is not None:
        (root / "plaincrm.toml").write_text(config, encoding="utf-8", errors="surrogateescape")
    return built


def _make(entry: Entry, path: bytes, made: list[str], outside: Path) -> None:
    if entry.kind == "file":
        with open(path, "xb") as handle:
            handle.write(entry.data)
    elif entry.kind == "fifo":
        os.mkfifo(path)
    elif entry.kind == "socket":
        if len(path) > 100:
            raise OSError("a socket path this long cannot be bound")
        make_socket(Path(os.fsdecode(path)))
    elif entry.kind == "loop":
        os.symlink(os.path.basename(path), path)
    elif entry.kind == "dangling":
        os.symlink(b"nowhere.md", path)
    elif entry.kind == "outside":
        os.symlink(os.fsencode(outside / "secret.md"), path)
    elif entry.kind == "inside":
        target = next((m for m in made if "/" not in m), "nowhere.md")
        os.symlink(os.path.relpath(os.fsencode(target), os.path.dirname(os.fsencode(entry.rel))
                                   or b"."), path)
    elif entry.kind == "folder-outside":
        os.symlink(os.fsencode(outside / "folder"), path)
    elif entry.kind == "folder-inside":
        os.symlink(b".", path)
    elif entry.kind == "folder-named-md":
        os.mkdir(path)


LINE = re.compile(r"[^\n]+:\d+: [a-z][a-z-]* [^\n]*")


def read_everything(root: Path, day: str) -> None:
    """Every read command, with the invariants every one of them must keep."""
    listing = cli(root, "list", "--json")
    no_traceback(listing)
    assert listing.exit_code in (0, 1), listing.output
    profiles = json.loads(listing.stdout)["profiles"]
    name = profiles[0]["name"] or profiles[0]["path"] if profiles else "nobody"
    for args, codes in ((("agenda", "--date", day), (0, 1)),
                        (("agenda", "--json", "--date", day), (0, 1)),
                        (("calendar", "--date", day), (0, 1)),
                        (("list",), (0, 1)),
                        (("show", "--date", day, "--", name), (0, 1, 4, 5)),
                        (("index",), (0, 1))):
        result = cli(root, *args)
        no_traceback(result)
        assert result.exit_code in codes, (args, result.output)
        assert "SECRET OUTSIDE" not in result.output, args
        if "--json" in args:
            json.loads(result.stdout)
    check = cli(root, "check", "--date", day)
    no_traceback(check)
    assert check.exit_code in (0, 1), check.output
    for line in check.stdout.splitlines():
        assert LINE.fullmatch(line), line  # path:line: code message, one per line


def every_profile_loads_or_is_a_problem(built: Built, day: str) -> None:
    result = cli(built.root, "check", "--json", "--date", day)
    no_traceback(result)
    report = json.loads(result.stdout)["problems"]
    listing = json.loads(cli(built.root, "list", "--json").stdout)["profiles"]
    located = {p["path"] for p in report}
    loaded = {p["path"] for p in listing}
    assert all(p["line"] >= 1 for p in report)
    for rel in built.profiles:
        shown = shown_path(rel)
        folders = {shown_path("/".join(rel.split("/")[:i])) for i in range(1, rel.count("/") + 1)}
        assert shown in loaded or shown in located or folders & located, (
            f"{shown!r} neither loads nor has a problem", sorted(located), sorted(loaded))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=entries(), config=CONFIGS, day=st.sampled_from(DAYS))
def test_random_vaults_never_crash_or_hang(files: list[Entry], config: str | None,
                                           day: str) -> None:
    with tempfile.TemporaryDirectory(prefix="plaincrm-fuzz-") as tmp:
        base = Path(tmp)
        os.environ["PLAINCRM_CACHE_DIR"] = str(base / "cache")
        try:
            built = build(base, files, config)
            read_everything(built.root, day)
            every_profile_loads_or_is_a_problem(built, day)
        finally:
            del os.environ["PLAINCRM_CACHE_DIR"]
