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
from plaincrm.config import CONFIG_NAME, commented_toml
from plaincrm.edit import check_given_day, check_value
from plaincrm.errors import BadValue, PlaincrmError, ProfileExists
from plaincrm.files import create_new, folder_lock, make_folder, mkdir, read_vault_file, vault_path
from plaincrm.lookup import name_key
from plaincrm.model import Profile

TEMPLATE = "templates/customer.md"


def slug(name: str) -> str:
    """A file stem for ``name``: ``Zoë O'Brien`` → ``zoe-obrien``."""
    text = unidecode(name).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "customer"


def phone_digits(phone: str) -> str:
    """Digits of a phone number without the trunk/international prefix, for comparing."""
    digits = re.sub(r"\D", "", phone)
    return digits.lstrip("0")[-9:]


def same_person(profiles: Iterable[Profile], name: str, emails: Iterable[str],
                phones: Iterable[str]) -> list[tuple[Profile, str]]:
    """Existing profiles with the same name, email or phone, with what matched."""
    wanted_name = name_key(name)
    email_keys = {e.casefold() for e in emails}
    phone_keys = {phone_digits(p) for p in phones if phone_digits(p)}
    found = []
    for p in profiles:
        if name_key(p.display_name) == wanted_name:
            found.append((p, "the same name"))
        elif email_keys & {e.casefold() for e in p.emails}:
            found.append((p, "the same email"))
        elif phone_keys & {phone_digits(x) for x in p.phones}:
            found.append((p, "the same phone"))
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


def new_profile(root: Path, profiles: list[Profile], spec: NewProfile, today: dt.date,
                folder: str = "", force: bool = False) -> Path:
    """Write a new profile from the vault's template; returns its path relative to ``root``."""
    check_spec(spec, folder)
    today = check_given_day(today, "--date")
    if not force:
        clashes = same_person(profiles, spec.name, spec.emails, spec.phones)
        if clashes:
            listed = "; ".join(f"{p.path} ({p.display_name}) has {why}" for p, why in clashes)
            raise ProfileExists(f"not created: {listed}. Use --force to add it anyway.")
    vault_path(root, folder)  # refused before anything is read or created
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
    target_dir = make_folder(root, folder)
    stem = slug(spec.name)
    base = Path(os.path.realpath(root))
    with folder_lock(target_dir, folder or "."):
        for n in range(1, 1000):
            candidate = target_dir / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
            if create_new(candidate, text.encode("utf-8")):
                return candidate.relative_to(base)
    raise PlaincrmError(f"too many files named {stem}-N.md in {target_dir}")


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
    }
    report = []
    for rel, text in files.items():
        # the folder must be inside the vault; the file itself is never followed (os.link)
        path = make_folder(folder, Path(rel).parent.as_posix()) / Path(rel).name
        created = create_new(path, text.encode("utf-8"))
        report.append((rel, "created" if created else "kept (already there)"))
    if use_git:
        report.append((".git", _git_init(folder)))
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
# plaincrm: check the customer profiles staged for this commit; an error stops the commit.
# Installed by `plaincrm init --hook`. Skip it once with: git commit --no-verify
vault={vault}
command -v plaincrm >/dev/null 2>&1 || {{
    echo "plaincrm pre-commit hook: plaincrm is not on PATH; profiles not checked" >&2
    exit 0
}}
staged=$(git diff --cached --name-only --diff-filter=ACMR -- "$vault")
[ -n "$staged" ] || exit 0
git diff --cached --name-only --diff-filter=ACMR -z -- "$vault" |
    xargs -0 plaincrm --vault "$vault" check
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
