"""The config spec: docs/configuration.md is generated from it and stays in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from plaincrm.config import SPEC, Config, configuration_markdown, parse_config

DOCS = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_docs_configuration_is_generated_from_the_spec() -> None:
    assert DOCS.read_text(encoding="utf-8") == configuration_markdown(), (
        "docs/configuration.md is stale: run python -m plaincrm.config")


def test_every_option_has_help_and_a_valid_default() -> None:
    for option in SPEC:
        assert option.help.strip(), option.name
        if option.validate is not None:
            option.validate(option.default)


def test_values_override_defaults() -> None:
    config, problems = parse_config(b'[agenda]\ndays = 14\n[calendar]\nname = "Ana"\n')
    assert problems == []
    assert config["agenda.days"] == 14 and config["calendar.name"] == "Ana"
    assert config["agenda.lead_days"] == Config()["agenda.lead_days"]


@pytest.mark.parametrize(("text", "line", "message"), [
    (b"[agenda\n", 1, "not valid TOML"),
    (b"\n\n[agenda]\ndays = -1\n", 4, "agenda.days must be 0 or more"),
    (b"[agenda]\ncontact_every = { lead = \"sometimes\" }\n", 2, "is not a duration"),
    (b"[calendar]\nalarms = { birthday = \"9am\" }\n", 2, "ISO 8601 duration"),
    (b"[profiles]\nphone_region = \"gb\"\n", 2, "two-letter region"),
    (b"[checks]\nseverity = { stale = \"loud\" }\n", 2, "'error', 'warning' or 'off'"),
    (b"[vault]\ninclude = \"*.md\"\n", 2, "must be a list"),
    (b"\xff\n", 1, "not UTF-8"),
    (b"[outreach]\noccasions = [\"birthday\", \"xmas\"]\n", 2, "'xmas' is not an occasion"),
    (b"[outreach]\n\nstages = [\"service\"]\n", 3, "an occasion of its own"),
    (b"[outreach]\nanniversary_years = [0]\n", 2, "whole numbers of years, 1 to"),
    (b"[outreach]\nanniversary_years = [\"5\"]\n", 2, "must be a list of whole numbers"),
    (b"[outreach]\ncatch_up_days = 99999999\n", 2, "must be at most"),
    (b"[outreach]\ndaily_cap = -1\n", 2, "outreach.daily_cap must be 0 or more"),
])
def test_bad_values_are_located_problems(text: bytes, line: int, message: str) -> None:
    config, problems = parse_config(text)
    assert len(problems) == 1
    assert problems[0].location.line == line and problems[0].code == "config-error"
    assert message in problems[0].message
    assert config["agenda.days"] == 7  # defaults kept


def test_me_in_the_shared_file_is_a_warning_at_its_line() -> None:
    """Who "me" is belongs to each person's own config, not to the file everybody shares."""
    config, problems = parse_config(b'[agenda]\ndays = 14\n[vault]\nme = "ana"\n')
    assert config["vault.me"] == "ana"  # still honoured, as before
    assert [(p.location.line, p.severity.value) for p in problems] == [(4, "warning")]
    assert "everybody" in problems[0].message and "config.toml" in problems[0].message


def test_the_outreach_section_is_read_with_the_others() -> None:
    """[outreach] is a section of the one spec: no 'unknown section', its values are used."""
    from plaincrm.outreach.settings import settings

    config, problems = parse_config(b'[outreach]\noccasions = ["birthday", "service"]\n'
                                    b'service_days_before = 21\nstages = ["job-done"]\n')
    assert problems == []
    conf = settings(config)
    assert (conf.occasions, conf.service_days_before, conf.stages, conf.daily_cap) == (
        ("birthday", "service"), 21, ("job-done",), 50)
    assert settings(Config()).occasions == ()


def test_a_moved_option_is_still_read_with_a_warning_naming_its_new_place(
        tmp_path: Path) -> None:
    """pulse.attempt_kinds moved to [log]: a vault that set it keeps its meaning."""
    from plaincrm.config import load_config
    from plaincrm.logkinds import log_kinds
    (tmp_path / "plaincrm.toml").write_text('[pulse]\nattempt_kinds = ["Missed"]\n',
                                            encoding="utf-8")
    config, problems = load_config(tmp_path)
    assert log_kinds(config).is_attempt("missed")
    assert not log_kinds(config).is_attempt("voicemail")
    assert [(p.location.line, p.message) for p in problems] == [
        (2, "pulse.attempt_kinds is now log.attempt_kinds; please rename it")]
