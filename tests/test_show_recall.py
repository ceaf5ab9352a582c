"""plaincrm show recalls the person: pinned facts first, the notes as written, the newest
conversations apart from the paperwork, everything with --log all (issue 14)."""

from __future__ import annotations

import json

from tests.conftest import Run, VaultFactory

PAPERWORK = """
    ---
    name: Margaret Whitfield
    phone: "+44 113 496 0142"
    ---

    # Margaret Whitfield

    Widow, lives alone. Let the phone ring for a long time.

    Keeps a tin of shortbread for the engineer.

    ## Tasks

    - [ ] 2026-12-01 Post the reminder letter

    ## Log

    - 2026-10-21 call: Knee surgery went well, walking with a frame.
    - 2026-10-30 invoice: Invoice 2026-101 sent.
    - 2026-11-05 chase: Reminder for invoice 2026-101.
    - 2026-11-12 payment: Paid invoice 2026-101 by cheque.
    - 2026-11-13 no-answer: Rang about the service.
    """


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_show_prints_the_notes_as_written(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": PAPERWORK})
    result = run(root, "show", "margaret", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    out = result.stdout
    notes = out.split("Notes\n", 1)[1].split("\n\n", 2)
    assert notes[0] == "  Widow, lives alone. Let the phone ring for a long time."
    assert notes[1].startswith("  Keeps a tin of shortbread for the engineer.")
    assert "# Margaret Whitfield" not in out  # the title only repeats the name
    assert "## Log" not in out and "## Tasks" not in out
    data = json.loads(run(root, "show", "margaret", "--json").stdout)
    assert data["notes"] == ("Widow, lives alone. Let the phone ring for a long time.\n\n"
                             "Keeps a tin of shortbread for the engineer.")
    assert data["notes_line"] == 8


def test_conversation_kept_apart_from_paperwork(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": PAPERWORK})
    out = run(root, "show", "margaret", "--date", "2026-11-22").stdout
    lines = lines_of(out)
    talks = lines.index("Conversations (newest 1 of 1)")
    assert lines[talks + 1] == "2026-10-21  call: Knee surgery went well, walking with a frame."
    admin = lines.index("Admin (newest 3 of 4)")
    assert lines[admin + 1:admin + 4] == [
        "2026-11-13  no-answer: Rang about the service.",
        "2026-11-12  payment: Paid invoice 2026-101 by cheque.",
        "2026-11-05  chase: Reminder for invoice 2026-101."]
    assert "invoice: Invoice 2026-101 sent." not in out
    every = lines_of(run(root, "show", "margaret", "--log", "all").stdout)
    start = every.index("Log (all 5, newest first)")
    assert every[start + 1:start + 6] == [
        "2026-11-13  no-answer: Rang about the service.",
        "2026-11-12  payment: Paid invoice 2026-101 by cheque.",
        "2026-11-05  chase: Reminder for invoice 2026-101.",
        "2026-10-30  invoice: Invoice 2026-101 sent.",
        "2026-10-21  call: Knee surgery went well, walking with a frame."]
    data = json.loads(run(root, "show", "margaret", "--json").stdout)
    assert [e["class"] for e in data["log"]] == [
        "conversation", "admin", "admin", "admin", "attempt"]


def test_log_kinds_come_from_the_config(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": PAPERWORK},
                 config='[log]\nconversation_kinds = ["chase"]\n'
                        'admin_kinds = ["call", "invoice", "payment"]\n')
    lines = lines_of(run(root, "show", "margaret").stdout)
    talks = lines.index("Conversations (newest 1 of 1)")
    assert lines[talks + 1] == "2026-11-05  chase: Reminder for invoice 2026-101."


def test_log_option_counts_and_refuses_nonsense(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": PAPERWORK})
    assert "Admin (newest 1 of 4)" in run(root, "show", "margaret", "--log", "1").stdout
    bad = run(root, "show", "margaret", "--log", "lots")
    assert bad.exit_code == 2
    assert "neither a number nor 'all'" in bad.stderr


def test_pinned_facts_from_front_matter_come_first(run: Run, vault: VaultFactory) -> None:
    root = vault({"ann.md": """
        ---
        name: Ann Lee
        phone: "+44 113 496 0001"
        remember:
          - Left knee replaced in October 2026
          - "Daughter Susan: text her after each visit"
        ---

        Likes tea.
        """})
    out = run(root, "show", "ann").stdout
    lines = lines_of(out)
    assert lines[2:6] == ["", "Remember", "- Left knee replaced in October 2026",
                          "- Daughter Susan: text her after each visit"]
    assert lines.index("Remember") < next(i for i, x in enumerate(lines) if x.startswith("phone"))
    assert "remember " not in out  # not again among the other keys
    data = json.loads(run(root, "show", "ann", "--json").stdout)
    assert data["remember"] == ["Left knee replaced in October 2026",
                                "Daughter Susan: text her after each visit"]
    assert data["notes"] == "Likes tea."


def test_pinned_facts_from_a_remember_section(run: Run, vault: VaultFactory) -> None:
    root = vault({"ann.md": """
        ---
        name: Ann Lee
        ---

        # Ann Lee

        Likes tea.

        ## Remember

        - Hard of hearing: let it ring.
        - Never on Fridays
          (she visits her sister).

        ## More notes

        Has a cat.

        ## Log

        - 2026-11-01 invoice: Sent.
        """})
    lines = lines_of(run(root, "show", "ann").stdout)
    assert lines[3:7] == ["Remember", "- Hard of hearing: let it ring.", "- Never on Fridays",
                          "(she visits her sister)."]
    notes = lines.index("Notes")
    assert lines[notes + 1:notes + 6] == ["Likes tea.", "", "## More notes", "", "Has a cat."]
    data = json.loads(run(root, "show", "ann", "--json").stdout)
    assert data["remember"] == ["Hard of hearing: let it ring.",
                                "Never on Fridays (she visits her sister)."]
    assert "Remember" not in data["notes"] and "Has a cat." in data["notes"]


def test_long_notes_are_shortened_with_a_pointer(run: Run, vault: VaultFactory) -> None:
    body = "\n".join(f"Note line {n}." for n in range(1, 31))
    root = vault({"bo.md": f"---\nname: Bo\n---\n\n{body}\n"})
    out = run(root, "show", "bo").stdout
    assert "Note line 12." in out and "Note line 13." not in out
    assert "… 18 more lines in bo.md" in out
    everything = run(root, "show", "bo", "--log", "all").stdout
    assert "Note line 30." in everything and "more lines" not in everything
    data = json.loads(run(root, "show", "bo", "--json").stdout)
    assert data["notes"] == body


def test_odd_notes_still_show_safely(run: Run, vault: VaultFactory) -> None:
    long_line = "x" * 1500
    root = vault({"cy.md": (
        "---\nname: Cy\n---\n\n"
        "Title \x1b]0;pwned\x07 here\n\n"
        f"{long_line}\n\n"
        "```\nunclosed fence\n## Log\n- 2026-01-01 call: not a log entry\n"
    ).encode()})
    result = run(root, "show", "cy")
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "Title \\x1b]0;pwned\\x07 here" in out
    assert "x" * 1000 + "… (500 more characters)" in out
    assert "unclosed fence" in out and "## Log" in out  # inside the fence: notes, not the log
    data = json.loads(run(root, "show", "cy", "--json").stdout)
    assert data["notes"].split("\n") == [
        "Title \x1b]0;pwned\x07 here", "", long_line, "", "```", "unclosed fence", "## Log",
        "- 2026-01-01 call: not a log entry"]


AGENDA_PROFILE = """
    ---
    name: Margaret Whitfield
    status: active
    phone: "+44 113 496 0101"
    contact_every: 30 days
    ---

    ## Log

    - 2026-10-21 call: Knee surgery went well, walking with a frame.
    - 2026-10-30 invoice: Invoice 2026-101 sent.
    - 2026-11-12 payment: Paid invoice 2026-101 by cheque.
    - 2026-11-13 no-answer: Rang about the service.
    """


def _context_line(text: str) -> str:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "Margaret Whitfield" in line)
    return lines[at + 1].strip().partition(" · ")[2]  # after the phone or email


def test_agenda_context_is_the_newest_conversation(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": AGENDA_PROFILE})
    for _warm in range(2):  # a new index, then the same rows read back
        text = run(root, "agenda", "--date", "2026-12-20").stdout
        assert _context_line(text) == \
            "last: 2026-10-21 call: Knee surgery went well, walking with a frame."
    data = json.loads(run(root, "agenda", "--date", "2026-12-20", "--json").stdout)
    assert [i["context"] for i in data["items"]] == [
        {"date": "2026-10-21", "kind": "call",
         "text": "Knee surgery went well, walking with a frame."}]


def test_agenda_context_is_the_pinned_fact_first(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": AGENDA_PROFILE})
    run(root, "agenda", "--date", "2026-12-20")  # the index made before the fact is pinned
    path = root / "margaret.md"
    path.write_text(path.read_text() + "\n## Remember\n\n- Let it ring: she is slow to the "
                    "phone.\n- Daughter Susan likes a text.\n")
    text = run(root, "agenda", "--date", "2026-12-20").stdout
    assert _context_line(text) == "remember: Let it ring: she is slow to the phone."
    data = json.loads(run(root, "agenda", "--date", "2026-12-20", "--json").stdout)
    assert [i["context"] for i in data["items"]] == [
        {"date": None, "kind": "remember", "text": "Let it ring: she is slow to the phone."}]


def test_agenda_context_with_only_paperwork_shows_the_newest(run: Run,
                                                              vault: VaultFactory) -> None:
    root = vault({"bo.md": """
        ---
        name: Bo
        status: active
        email: bo@example.com
        contact_every: 30 days
        ---

        ## Log

        - 2026-10-30 invoice: Invoice 2026-101 sent.
        - 2026-11-12 payment: Paid.
        """})
    data = json.loads(run(root, "agenda", "--date", "2026-12-20", "--json").stdout)
    assert [i["context"]["text"] for i in data["items"]] == ["Paid."]
