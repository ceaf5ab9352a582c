"""The include and exclude globs are one regular expression: a path is a profile exactly when
an include glob matches it and no exclude glob does, whatever the globs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plaincrm.config import Config
from plaincrm.vault import glob_regex, is_profile_path

PART = st.sampled_from(["a", "b", "ab", "x.md", "a.md", "README.md", "t", "*", "**", "?.md",
                        "*.md", "[ab]", "a*"])
GLOB = st.lists(PART, min_size=1, max_size=3).map("/".join)
PATH = st.lists(st.sampled_from(["a", "b", "ab", "x.md", "a.md", "README.md", "t", "b.md"]),
                min_size=1, max_size=4).map("/".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(GLOB, max_size=3), st.lists(GLOB, max_size=3), st.lists(PATH, min_size=1,
                                                                        max_size=8))
def test_one_regex_is_include_and_not_exclude(include: list[str], exclude: list[str],
                                             paths: list[str]) -> None:
    config = Config({"vault.include": include, "vault.exclude": exclude})
    for path in paths:
        expected = any(glob_regex(g).fullmatch(path) for g in include) and not any(
            glob_regex(g).fullmatch(path) for g in exclude)
        assert is_profile_path(path, config) == expected, (path, include, exclude)
