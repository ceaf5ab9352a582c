"""Creating profiles (``plaincrm new``) and vaults (``plaincrm init``)."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from unidecode import unidecode

from plaincrm import fields, gitrepo, templates
from plaincrm.checks import duplicates
from plaincrm.config import CONFIG_NAME, Config, commented_toml
from plaincrm.edit import check_given_day, check_value
from plaincrm.errors import BadValue, GitError, PlaincrmError, ProfileExists, WriteRefused
from plaincrm.files import create_new, folder_lock, make_folder, mkdir, read_vault_file, vault_path
from plaincrm.frontmatter_edit import Value, set_key
from plaincrm.lookup import name_key as fold_name
from plaincrm.mergedriver import ATTRIBUTE_LINE, ATTRIBUTES, driver_command
from plaincrm.model import Profile
from plaincrm.outreach.template import builtin_messages

TEMPLATE = "templates/customer.md"


def slug(name: str) -> str:
    """A file stem for ``name``: ``Zoë O'Brien`` → ``zoe-obrien``."""
    text = unidecode(name).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "customer"


def same_person(profiles: Iterable[Profile], name: str, emails: Iterable[str],
                phones: Iterable[str], region: str = "", distinct: Iterable[str] = (),
                birthday: str | None = None,
                places: Iterable[str] = ()) -> list[tuple[Profile, str]]:
    """Existing profiles that are probably the person ``name`` with these emails, phones,
    birthday and places (postcode, address), with what matched: the rule ``plaincrm check``
    reports duplicates by (:func:`plaincrm.checks.duplicates.same_person`), alike names
    included."""
    new = duplicates.person(name, emails, phones, region, None, distinct, birthday, places)
    found = []
    for p in profiles:
        reasons = duplicates.same_person(new, duplicates.profile_person(p, region))
        if reasons:
            # one reason to show: the name spelled alike, else email, phone, a name variant
            kinds = {" ".join(r.split(" ")[:2]) for r in reasons}  # "same email"
            if "same name" in kinds and fold_name(p.display_name) == fold_name(name):
                kinds = {"same name"}
            first = next((k for k in ("same email", "same phone", "same name") if k in kinds),
                         None)
            found.append((p, f"the {first}" if first else reasons[0]))
    return found


@dataclass(frozen=True, slots=True)
class NewProfile:
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    status: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    birthday: str | None = None
    extra: tuple[tuple[str, Value], ...] = ()  # any other key: --set key=value; an import's
    # nested mapping (emergency_contact) is a dict

    def values(self) -> list[tuple[str, Value]]:
        """Every key the spec gives, as it will be written."""
        given: list[tuple[str, Value | None]] = [
            ("status", self.status), ("owner", self.owner), ("birthday", self.birthday),
            ("email", _one_or_list(self.emails)), ("phone", _one_or_list(self.phones)),
            ("tags", list(self.tags) or None), *self.extra]
        return [(k, v) for k, v in given if v is not None]


@dataclass(frozen=True, slots=True)
class Created:
    path: Path  # relative to the vault
    left_out: tuple[str, ...] = ()  # extra keys not written (lenient only), with why
    commit: str | None = None


def new_profile(root: Path, profiles: list[Profile], spec: NewProfile, today: dt.date,
                folder: str = "", force: bool = False, config: Config | None = None,
                commit: bool = False, lenient: bool = False) -> Created:
    """Write a new profile from the vault's template; returns its path relative to ``root``.

    Unless ``force``: refused when a profile is probably the same person, and (given the
    ``config``) when a value would be an error in ``plaincrm check``. ``lenient``: an extra key
    that cannot be written as given is left out (and said) instead of refusing the profile.
    """
    check_spec(spec, folder)
    today = check_given_day(today, "--date")
    region = config["profiles.phone_region"] if config is not None else ""
    if not force:
        if config is not None:
            _check_values(spec, config, today, profiles)
        distinct = [v for k, v in spec.extra if k == duplicates.DISTINCT_KEY]
        places = [v for k, v in spec.extra if k in duplicates.PLACE_KEYS and isinstance(v, str)]
        clashes = same_person(profiles, spec.name, spec.emails, spec.phones, region,
                              [x for v in distinct for x in ([v] if isinstance(v, str) else v)],
                              spec.birthday, places)
        if clashes:
            listed = "; ".join(f"{p.path} ({p.display_name}) has {why}" for p, why in clashes)
            raise ProfileExists(f"not created: {listed}. Use --force to add it anyway.")
    vault_path(root, folder)  # refused before anything is read or created
    repo = gitrepo.open_repo(root) if commit else None
    if repo is not None and repo.in_progress():
        raise WriteRefused(f"{repo.in_progress()} is in progress in {repo.top}; finish it "
                           "first (or leave out --commit)")
    template = _template(root)
    taken = {p.id for p in profiles if p.id}
    new_id = secrets.token_hex(4)
    while new_id in taken:
        new_id = secrets.token_hex(4)
    values = {
        "name": spec.name, "id": new_id, "status": spec.status, "email": _one_or_list(spec.emails),
        "phone": _one_or_list(spec.phones), "owner": spec.owner, "birthday": spec.birthday,
        "tags": list(spec.tags) or None, "customer_since": today.isoformat(),
    }
    try:
        text = templates.fill(template, values, {"name": spec.name, "date": today.isoformat()})
    except ValueError as exc:
        raise PlaincrmError(f"{TEMPLATE}: {exc}") from None
    data, left_out = _set_extra(text.encode("utf-8"), spec.extra, lenient)
    target_dir = make_folder(root, folder)
    stem = slug(spec.name)
    base = Path(os.path.realpath(root))
    rel: Path | None = None
    with folder_lock(target_dir, folder or "."):
        for n in range(1, 1000):
            candidate = target_dir / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
            if create_new(candidate, data):
                rel = candidate.relative_to(base)
                break
    if rel is None:
        raise PlaincrmError(f"too many files named {stem}-N.md in {target_dir}")
    sha = None
    if repo is not None:
        try:
            sha = repo.commit_file(rel.as_posix(), f"new: {spec.name}")
        except GitError as exc:
            raise GitError(f"{rel.as_posix()} was created but not committed: {exc}") from None
    return Created(rel, tuple(left_out), sha)


def _set_extra(data: bytes, extra: tuple[tuple[str, Value], ...],
               lenient: bool) -> tuple[bytes, list[str]]:
    """``data`` with every extra key set (:func:`plaincrm.frontmatter_edit.set_key`)."""
    left_out = []
    for key, value in extra:
        try:
            data = set_key(data, key, value, TEMPLATE, controls=lenient)
        except WriteRefused as exc:
            if not lenient:
                raise BadValue(f"--set {key}: {exc}") from None
            left_out.append(f"{key} was left out: {exc}")
    return data, left_out


def _check_values(spec: NewProfile, config: Config, today: dt.date,
                  profiles: list[Profile]) -> None:
    from plaincrm.values import known_owners, value_errors

    owners = known_owners(profiles)
    errors = [f"{key}: {why}" for key, value in spec.values()
              if not isinstance(value, dict)
              for why in value_errors(key, value, config, today, owners)]
    if errors:
        raise BadValue("not created: " + "; ".join(errors) + ". Use --force to write it "
                       "anyway.")


def check_spec(spec: NewProfile, folder: str) -> None:
    """Every value of ``spec`` checked as it will be written: no control characters, dates
    plaincrm can use (see :mod:`plaincrm.fields`); else :class:`BadValue`."""
    check_value(spec.name, "NAME")
    check_value(folder, "--folder")
    for what, values in (("--email", spec.emails), ("--phone", spec.phones),
                         ("--tag", spec.tags), ("--status", (spec.status or "",)),
                         ("--owner", (spec.owner or "",)), ("--birthday", (spec.birthday or "",))):
        for value in values:
            check_value(value, what)
    if spec.birthday is not None:
        try:
            fields.birthday(spec.birthday, "--birthday")
        except fields.FieldError as exc:
            raise BadValue(str(exc)) from None


def _template(root: Path) -> str:
    """The vault's templates/customer.md (inside the vault, a regular file), else the built-in."""
    try:
        data = read_vault_file(root, TEMPLATE)
    except FileNotFoundError:
        return templates.builtin("customer.md")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlaincrmError(f"cannot read {TEMPLATE}: {exc}") from None


def _one_or_list(items: tuple[str, ...]) -> str | list[str] | None:
    if not items:
        return None
    return items[0] if len(items) == 1 else list(items)


GITIGNORE = """# Editor leftovers; plaincrm keeps its index outside the vault.
*.swp
*~
4913
.DS_Store
"""


def init_vault(folder: Path, use_git: bool = True,
               hook: bool = False) -> list[tuple[str, str]]:
    """Create a vault in ``folder``; returns ``(path, what happened)`` for each file.
    Never overwrites an existing file. With ``hook`` in a folder that already holds files (an
    existing vault), only the hook is installed."""
    if hook and _holds_files(folder):
        return [install_hook(folder)]
    mkdir(folder, str(folder))
    files = {
        CONFIG_NAME: commented_toml(),
        ".gitignore": GITIGNORE,
        TEMPLATE: templates.builtin("customer.md"),
        "ada-example.md": templates.builtin("example.md"),
        ATTRIBUTES: ATTRIBUTE_LINE + "\n",
    }
    messages = Config()["outreach.templates"]  # the outreach templates, ready to edit
    files.update({f"{messages}/{name}": text for name, text in builtin_messages().items()})
    report = []
    for rel, text in files.items():
        # the folder must be inside the vault; the file itself is never followed (os.link)
        path = make_folder(folder, Path(rel).parent.as_posix()) / Path(rel).name
        created = create_new(path, text.encode("utf-8"))
        report.append((rel, "created" if created else "kept (already there)"))
    if use_git:
        report.append((".git", _git_init(folder)))
        report.append((".git/config", _merge_driver(folder)))
    if hook:
        report.append(install_hook(folder))
    return report


def _holds_files(folder: Path) -> bool:
    """Whether ``folder`` exists and holds anything but hidden entries (``.git``…)."""
    try:
        with os.scandir(folder) as entries:
            return any(not entry.name.startswith(".") for entry in entries)
    except OSError:
        return False


def _merge_driver(folder: Path) -> str:
    """The profile merge driver in the repository's config (see :mod:`plaincrm.mergedriver`)."""
    if gitrepo.toplevel(folder) is None:
        return "skipped (merge driver): not in a git repository"
    top = gitrepo.toplevel(folder)
    assert top is not None
    try:
        gitrepo.config_set(top, "merge.plaincrm.name", "plaincrm profile merge")
        gitrepo.config_set(top, "merge.plaincrm.driver", driver_command())
    except GitError as exc:
        return f"failed (merge driver): {exc}"
    return "merge driver set (merge.plaincrm)"


def _git_init(folder: Path) -> str:
    if not gitrepo.installed():
        return "skipped: git is not installed"
    inside = gitrepo.toplevel(folder)
    if inside is not None:
        return f"skipped: already inside the repository {inside}"
    failed = gitrepo.init(folder)
    if failed is not None:
        return f"failed: {failed}"
    return "created (git init)"


HOOK = """#!/bin/sh
# plaincrm: check the customer profiles staged for this commit; an error the commit adds stops
# it (errors a profile had before do not). Installed by `plaincrm init --hook`.
# Skip it once with: git commit --no-verify
vault={vault}
command -v plaincrm >/dev/null 2>&1 || {{
    echo "plaincrm pre-commit hook: plaincrm is not on PATH; profiles not checked" >&2
    exit 0
}}
staged=$(git diff --cached --name-only --diff-filter=ACMR -- "$vault")
[ -n "$staged" ] || exit 0
exec plaincrm --vault "$vault" precommit
"""


def install_hook(folder: Path) -> tuple[str, str]:
    """Write a plain git pre-commit hook running ``plaincrm check`` on the staged profiles of
    the vault ``folder``, unless the repository already has a pre-commit hook."""
    if not gitrepo.installed():
        return "", "skipped: git is not installed"
    top, hooks = gitrepo.toplevel(folder), gitrepo.hooks_dir(folder)
    if top is None or hooks is None:
        return "", "skipped (pre-commit hook): not in a git repository"
    vault = Path(folder).resolve().relative_to(top.resolve()).as_posix()
    hook = hooks / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    text = HOOK.format(vault=shlex.quote(vault or "."))
    shown = os.path.relpath(hook, folder)
    if not create_new(hook, text.encode("utf-8")):
        return shown, "kept (already there)"
    hook.chmod(0o755)
    return shown, "created"
