"""Start-up: a command loads only the modules its answer needs (measured with
``python -X importtime``; here counted, never timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from plaincrm import parse
from plaincrm.config import Config
from plaincrm.model import KNOWN_KEYS
from plaincrm.outreach.settings import settings

from .conftest import VaultFactory

# runs the real CLI in a fresh interpreter, then prints the modules it had loaded
PROBE = """
import json, sys
from plaincrm.cli import main
try:
    main(sys.argv[1:], prog_name="plaincrm")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

ANN = """\
    ---
    name: Ann Ash
    email: ann@example.com
    phone: "+44 7712 772035"
    birthday: 1980-12-01
    service_due: 2026-11-01
    ---
    - 2026-10-01 call: asked about a quote.
    """


def loaded(root: Path, tmp_path: Path, *args: str) -> set[str]:
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-c", PROBE, "--vault", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_show_and_agenda_do_not_load_the_email_validator(vault: VaultFactory,
                                                          tmp_path: Path) -> None:
    root = vault({"ann-ash.md": ANN, "bob.md": ANN.replace("Ann Ash", "Bob Bell")})
    assert "plaincrm.parse" in loaded(root, tmp_path, "index")  # the index parses the files
    for args in (("show", "ann-ash", "--date", "2026-11-22"),
                 ("agenda", "--date", "2026-11-22")):
        modules = loaded(root, tmp_path, *args)
        assert "plaincrm.index" in modules, args  # the probe did run the command
        assert "email_validator" not in modules, args
    assert "plaincrm.parse" not in modules  # a warm agenda reads no file
    assert "plaincrm.checks.fields" not in modules  # nor what reading one needs


def test_the_show_command_module_does_not_load_the_parser() -> None:
    code = "import sys, plaincrm.commands.show; print('plaincrm.parse' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_known_keys_live_in_the_model_and_name_every_converted_key() -> None:
    assert frozenset(parse._CONVERTERS) == KNOWN_KEYS


def test_outreach_settings_are_worked_out_once_per_config() -> None:
    config = Config({"outreach.occasions": ["birthday"]})
    first = settings(config)
    assert settings(config) is first
    assert first.occasions == ("birthday",)
    other = settings(Config())
    assert other is not first and other.occasions == ()
    assert settings({"outreach.occasions": ["service"]}).occasions == ("service",)


def test_show_by_phone_needs_no_phone_or_email_library_nor_markdown(
        vault: VaultFactory, tmp_path: Path) -> None:
    """Caller ID: the typed number has the same digits as the profile's, both with their
    country code, so they are one number without the phone library; the notes of a plain
    body are found by the parser's line scan, without markdown-it."""
    root = vault({"ann-ash.md": ANN.rstrip() + "\n    - [ ] 2026-12-01 Send the quote\n\n"
                                      "    ## Remember\n    - her knee\n",
                  "bob.md": ANN.replace("Ann Ash", "Bob Bell").replace("772035", "772036")})
    loaded(root, tmp_path, "index")
    for typed in ("+44 7712 772035", "+447712772035", "ann-ash"):
        modules = loaded(root, tmp_path, "show", typed, "--date", "2026-11-22")
        assert "plaincrm.render.profile" in modules, typed  # the probe did show Ann
        for library in ("phonenumbers", "email_validator", "markdown_it"):
            assert library not in modules, (typed, library)


def test_reading_a_changed_file_leaves_outreach_unloaded_while_it_is_off(
        vault: VaultFactory, tmp_path: Path) -> None:
    """Outreach is off unless outreach.occasions names an occasion: re-reading an edited
    file for the agenda does not load its scheduling (a fifth of the re-read's start)."""
    root = vault({"ann-ash.md": ANN})
    loaded(root, tmp_path, "index")
    with (root / "ann-ash.md").open("a", encoding="utf-8") as handle:
        handle.write("- 2026-11-21 call: moved the visit.\n")
    modules = loaded(root, tmp_path, "agenda", "--date", "2026-11-22")
    assert "plaincrm.parse" in modules  # the edited file was read again
    assert "plaincrm.outreach.schedule" not in modules
    (root / "plaincrm.toml").write_text('[outreach]\noccasions = ["birthday"]\n')
    assert "plaincrm.outreach.schedule" in loaded(root, tmp_path, "agenda", "--date",
                                                  "2026-11-22")


def test_an_edit_reads_the_file_without_the_email_validator(vault: VaultFactory,
                                                            tmp_path: Path) -> None:
    """The index keeps each email domain's verdict: re-reading an edited file whose domains
    it knows needs no email_validator, and the verdict is the same (a bad domain stays a
    problem); a domain it has not seen loads the validator."""
    bad = ANN.replace("Ann Ash", "Cy Cole").replace("ann@example.com", "cy@exa_mple.com")
    root = vault({"ann-ash.md": ANN, "cy.md": bad})
    assert "email_validator" in loaded(root, tmp_path, "index")  # a cold index validates
    for name in ("ann-ash.md", "cy.md"):
        with (root / name).open("a", encoding="utf-8") as handle:
            handle.write("- 2026-11-20 call: booked the service.\n")
    modules = loaded(root, tmp_path, "agenda", "--date", "2026-11-22")
    assert "plaincrm.parse" in modules  # the edited files were read again
    assert "email_validator" not in modules
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache")}
    checked = subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(root), "check",
                              "--date", "2026-11-22"], capture_output=True, text=True, env=env)
    assert "cy.md:3: invalid-email 'cy@exa_mple.com'" in checked.stdout, checked.stdout
    (root / "ann-ash.md").write_text(textwrap.dedent(ANN).replace("example.com", "example.org"),
                                     encoding="utf-8")
    assert "email_validator" in loaded(root, tmp_path, "agenda", "--date", "2026-11-22")
