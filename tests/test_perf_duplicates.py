"""duplicate at scale: more than three namesakes are one problem per profile, not one per pair,
and every pair the rule finds is still named or counted (through the real CLI)."""

from __future__ import annotations

from tests.conftest import Run, VaultFactory
from tests.test_check_duplicates import duplicates, person


def test_up_to_three_namesakes_are_reported_pair_by_pair(vault: VaultFactory,
                                                         run: Run) -> None:
    root = vault({"a.md": person("Ann Roe"), "b.md": person("ann roe"),
                  "c.md": person("Ann R. Roe"), "d.md": person("Ann Rose")})
    assert duplicates(run, root) == [
        ("a.md", 2, "probably the same person as b.md (ann roe): same name"),
        ("a.md", 2, "probably the same person as c.md (Ann R. Roe): same name"),
        ("b.md", 2, "probably the same person as a.md (Ann Roe): same name"),
        ("b.md", 2, "probably the same person as c.md (Ann R. Roe): same name"),
        ("c.md", 2, "probably the same person as a.md (Ann Roe): same name"),
        ("c.md", 2, "probably the same person as b.md (ann roe): same name"),
    ]


def test_a_large_group_names_three_and_counts_the_rest(vault: VaultFactory, run: Run) -> None:
    root = vault({f"p{i}.md": person("John Smith") for i in range(6)})
    found = duplicates(run, root)
    assert [path for path, _line, _message in found] == [f"p{i}.md" for i in range(6)]
    assert found[0][2] == ("probably the same person as p1.md (John Smith), p2.md (John Smith), "
                           "p3.md (John Smith) and 2 more of the same name: same name")


def test_namesakes_sharing_an_email_or_saying_otherwise(vault: VaultFactory, run: Run) -> None:
    """A pair that shares an email keeps its own report; distinct_from and check_ignore take a
    profile out of its namesakes' problems."""
    files = {f"p{i}.md": person("Ann Roe") for i in range(5)}
    files["a.md"] = person("Ann Roe", "ann@example.com")
    files["b.md"] = person("Ann Roe", "ann@example.com")
    files["c.md"] = person("Ann Roe").replace("status: lead", "status: lead\nid: c1")
    files["d.md"] = person("Ann Roe").replace("status: lead", "status: lead\ndistinct_from: [c1]")
    files["e.md"] = person("Ann Roe").replace("status: lead",
                                              "status: lead\ncheck_ignore: [duplicate]")
    found = duplicates(run, vault(files))
    assert ("a.md", 4, "probably the same person as b.md (Ann Roe): same email ann@example.com, "
                       "same name") in found
    assert ("a.md", 2, "probably the same person as c.md (Ann Roe), d.md (Ann Roe), p0.md "
                       "(Ann Roe) and 4 more of the same name: same name") in found
    assert ("c.md", 2, "probably the same person as a.md (Ann Roe), b.md (Ann Roe), p0.md "
                       "(Ann Roe) and 4 more of the same name: same name") in found
    assert ("d.md", 2, "probably the same person as a.md (Ann Roe), b.md (Ann Roe), p0.md "
                       "(Ann Roe) and 4 more of the same name: same name") in found
    assert not [f for f in found if f[0] == "e.md" or "e.md" in f[2]]
