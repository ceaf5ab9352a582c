"""The pulse page in a real headless Chromium: it renders without a console message, each
chart holds the bars of the figures, and a screenshot is kept for docs/pulse.md.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). In CI a missing browser
fails these tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.pulse_history import build

ROOT = Path(__file__).parent.parent
TODAY = "2026-11-22"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def browse(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Open ``page`` in headless Chromium with its console logged to stderr."""
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         *extra, page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False)


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to the console, or what the browser said about it there (a
    blocked request, a script error): Chromium logs each as a ``CONSOLE`` line."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line]


class Shapes(HTMLParser):
    """Counts ``rect``/``g`` elements by class inside each ``svg`` with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.svg: str | None = None
        self.counts: dict[str, Counter[str]] = {}
        self.titles: dict[str, int] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
            if self.svg:
                self.counts[self.svg] = Counter()
        elif self.svg and tag in ("rect", "g") and a.get("class"):
            self.counts[self.svg][f"{tag}.{a['class']}"] += 1
        elif self.svg and tag == "title":
            self.titles[self.svg] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg = None


def shapes(dom: str) -> Shapes:
    parser = Shapes()
    parser.feed(dom)
    return parser


@pytest.fixture
def page(run: Run, tmp_path: Path) -> Path:
    root = build(tmp_path / "shop")
    out = tmp_path / "pulse.html"
    result = run(root, "pulse", "--date", TODAY, "--since", "2026-08-31", "--html", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "default-src 'none'" in html  # nothing may be fetched
    for needle in ("http://", "https://", "src=", "@import", "url("):
        assert needle not in html


def test_charts_hold_a_bar_per_figure(page: Path, tmp_path: Path) -> None:
    done = browse(page, tmp_path, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    found = shapes(done.stdout)
    # 12 weeks; stacked segments: 31 Aug call + attempts, 14 Sep service, 28 Sep attempts,
    # 12 Oct visit, 2 Nov email, 16 Nov visit
    assert found.counts["chart-weeks"] == {"g.bar": 12, "rect.seg": 7}
    assert found.counts["chart-overdue"] == {"rect.bar": 2}  # ann, bob
    # services done in August to November, then due from November to April
    assert found.counts["chart-services"] == {"rect.bar": 4 + 6}
    # cohorts 2020 to 2026: 7 + 6 + 5 + 4 + 3 + 2 + 1 cells
    assert found.counts["chart-cohorts"] == {"rect.cell": 28}
    for chart in found.counts:  # every chart and every bar says what it shows
        assert found.titles[chart] >= 1
    assert "Eve Evans" in done.stdout and "While you were away" in done.stdout


def test_console_messages_are_seen(tmp_path: Path) -> None:
    """The console check above can fail: a page that logs an error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>x</title><script>console.error('broken')</script>")
    done = browse(bad, tmp_path, "--dump-dom")
    assert any("broken" in line for line in console_messages(done.stderr))


def test_screenshot_for_the_docs(run: Run, tmp_path: Path) -> None:
    vault = tmp_path / "vault-example"
    shutil.copytree(ROOT / "vault-example", vault)
    out = tmp_path / "pulse.html"
    assert run(vault, "pulse", "--date", TODAY, "--html", str(out)).exit_code == 0
    shot = tmp_path / "pulse.png"
    done = browse(out, tmp_path, f"--screenshot={shot}", "--window-size=1000,3100",
                  "--hide-scrollbars")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    docs = ROOT / "docs" / "pulse.png"
    if os.environ.get("PLAINCRM_UPDATE_DOCS") == "1":
        docs.write_bytes(data)
    assert docs.read_bytes().startswith(b"\x89PNG"), "docs/pulse.png is the page's screenshot"


def scheme_colours(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """The page's colour variables, light and dark, as its own style sheet sets them."""
    import re

    light, dark = re.findall(r":root \{([^}]*)\}", html)[:2]

    def table(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([\w-]+): (#[0-9a-fA-F]{6})", block))

    return table(light), table(dark)


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def first_pixel(png: bytes) -> str:
    """The top-left pixel of a Chromium screenshot (8-bit RGB or RGBA) as ``#rrggbb``: in the
    first row every PNG filter predicts from zeros at the first pixel, so its bytes are the
    colour itself."""
    import struct
    import zlib

    at, data = 8, b""
    while at < len(png):
        (size,) = struct.unpack(">I", png[at:at + 4])
        kind, body = png[at + 4:at + 8], png[at + 8:at + 8 + size]
        at += 12 + size
        if kind == b"IHDR":
            assert body[8] == 8 and body[9] in (2, 6), "8-bit RGB or RGBA"
        elif kind == b"IDAT":
            data += body
    row = zlib.decompress(data)
    return "#" + row[1:4].hex()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_follows_light_and_dark_and_stays_readable(page: Path, tmp_path: Path,
                                                            scheme: str) -> None:
    """The system's colour scheme (Chromium's --force-dark-mode sets prefers-color-scheme)
    chooses the page's colours; text and charts keep WCAG contrast in both."""
    light, dark = scheme_colours(page.read_text(encoding="utf-8"))
    colours = dark if scheme == "dark" else light
    assert light["bg"] != dark["bg"]
    shot = tmp_path / f"{scheme}.png"
    extra = ["--force-dark-mode"] if scheme == "dark" else []
    done = browse(page, tmp_path, *extra, f"--screenshot={shot}", "--window-size=400,300")
    assert done.returncode == 0, done.stderr[-2000:]
    assert first_pixel(shot.read_bytes()) == colours["bg"].lower()
    for ground in ("bg", "card"):
        for text in ("fg", "muted", "bad"):  # text: WCAG AA, 4.5:1
            assert contrast(colours[text], colours[ground]) >= 4.5, (scheme, text, ground)
        for graphic in ("done", "due", "heat", "attempt"):  # chart shapes: 3:1
            assert contrast(colours[graphic], colours[ground]) >= 3, (scheme, graphic, ground)
