"""What the pre-commit hook asks: which errors does this commit *add*?

For each profile staged for the commit, the staged version and the last commit's version are
read from git and checked alike (the loader and every per-profile check of ``plaincrm check``,
with the vault's severities); an error the staged version has and the committed one had not is
new. A commit that logs a call to a profile that already missed its phone adds nothing and
passes; a commit that writes a bad email stops. Duplicates, a whole-vault check, are left to
``plaincrm check``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import replace

from plaincrm.checks.base import Context
from plaincrm.checks.registry import PROFILE_CHECKS
from plaincrm.config import Config
from plaincrm.gitrepo import Repo, _run
from plaincrm.model import Problem, Severity
from plaincrm.parse import parse_profile
from plaincrm.vault import is_profile_path


def added_errors(repo: Repo, config: Config, today: dt.date) -> tuple[list[Problem], int]:
    """The errors the staged profiles add, and how many they already had."""
    out = repo.run("diff", "--cached", "--name-only", "-z", "--relative", "--diff-filter=ACMR")
    new: list[Problem] = []
    old_count = 0
    for rel in (os.fsdecode(p) for p in out.split(b"\0") if p):
        if not is_profile_path(rel, config):
            continue
        staged = _blob(repo, f":./{rel}") or b""
        before = _errors(rel, _blob(repo, f"HEAD:./{rel}"), config, today)
        after = _errors(rel, staged, config, today)
        had = Counter((p.code, p.message) for p in before)
        old_count += len(before)
        for problem in after:
            key = (problem.code, problem.message)
            if had[key]:
                had[key] -= 1
            else:
                new.append(problem)
    return new, old_count


def _blob(repo: Repo, spec: str) -> bytes | None:
    done = _run(repo.vault, ("show", spec))
    return done.stdout if done.returncode == 0 else None


def _errors(rel: str, data: bytes | None, config: Config, today: dt.date) -> list[Problem]:
    if data is None:
        return []
    profile, problems = parse_profile(rel, data)
    found = list(problems)
    if profile is not None and not any(p.code in ("parse-error", "conflict-marker")
                                       for p in problems):
        ctx = Context(config=config, today=today)
        for check in PROFILE_CHECKS:
            try:
                found += list(check(profile, ctx))
            except Exception:  # a crashing check is plaincrm check's to report
                continue
    severity: dict[str, str] = config["checks.severity"]
    result = []
    for p in found:
        wanted = severity.get(p.code)
        if wanted == "off":
            continue
        if wanted is not None:
            p = replace(p, severity=Severity(wanted))
        if p.severity is Severity.ERROR:
            result.append(p)
    return sorted(result, key=Problem.sort_key)
