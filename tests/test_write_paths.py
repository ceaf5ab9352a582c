"""What a write may touch: symlinked profiles, read-only and other users' files, paths that
lead outside the vault, templates that are not regular files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Run, VaultFactory

JANE = b"---\nname: Jane Roe\n---\n\n## Log\n\n- 2026-01-01 call: a\n"
ENTRY = b"- 2026-11-20 note: Hi.\n"


def log(run: Run, root: Path, name: str = "jane") -> tuple[int, str]:
    result = run(root, "log", name, "Hi.", "--date", "2026-11-20")
    return result.exit_code, result.stderr


def plaincrm(*args: str, timeout: float = 15) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process: a hang ends the test instead of the test run."""
    return subprocess.run([sys.executable, "-m", "plaincrm", *args], capture_output=True,
                          text=True, timeout=timeout)


# ---------------------------------------------------------------- the profile itself


def test_a_symlinked_profile_is_written_through_to_its_target(vault: VaultFactory,
                                                              run: Run) -> None:
    root = vault({".store/jane-roe.md": JANE})  # hidden: not a profile of its own
    (root / "jane.md").symlink_to(".store/jane-roe.md")
    assert log(run, root) == (0, "")
    assert (root / "jane.md").is_symlink()
    assert (root / ".store/jane-roe.md").read_bytes() == JANE + ENTRY
    assert sorted(p.name for p in (root / ".store").iterdir()) == ["jane-roe.md"]


def test_a_profile_linked_to_a_file_outside_the_vault_is_not_written(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_bytes(JANE)
    root = vault({})
    (root / "jane.md").symlink_to(outside)
    code, err = log(run, root)
    assert code == 7
    assert "outside the vault" in err
    assert outside.read_bytes() == JANE
    assert (root / "jane.md").is_symlink()


def test_a_read_only_profile_is_refused(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE})
    os.chmod(root / "jane.md", 0o444)
    code, err = log(run, root)
    assert code == 7
    assert "read-only" in err
    assert (root / "jane.md").read_bytes() == JANE
    assert (root / "jane.md").stat().st_mode & 0o777 == 0o444


def test_owner_group_and_mode_are_kept(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE})
    target = root / "jane.md"
    os.chown(target, 4321, 4322)  # another user's file, written by root
    os.chmod(target, 0o640)
    assert log(run, root) == (0, "")
    st = target.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4321, 4322, 0o640)
    assert target.read_bytes() == JANE + ENTRY


# ---------------------------------------------------------------- paths inside the vault


def test_new_with_a_folder_outside_the_vault_is_refused(vault: VaultFactory, run: Run,
                                                        tmp_path: Path) -> None:
    root = vault({"jane.md": JANE})
    (tmp_path / "away").mkdir()
    (root / "linked").symlink_to(tmp_path / "away")
    for folder in ("../x", str(tmp_path / "abs"), "linked", "sub/../../x"):
        result = run(root, "new", "Eve Adams", "--folder", folder)
        assert result.exit_code == 7, (folder, result.output)
        assert "outside the vault" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["away", "home", "vault"]
    assert list((tmp_path / "away").iterdir()) == []


def test_new_in_a_folder_inside_the_vault(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE})
    (root / "people").mkdir()
    (root / "alias").symlink_to("people")
    result = run(root, "new", "Eve Adams", "--folder", "alias", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert (root / "people/eve-adams.md").is_file()


def test_a_template_linked_outside_the_vault_is_never_read(vault: VaultFactory, run: Run,
                                                           tmp_path: Path) -> None:
    secret = tmp_path / "home/.ssh/id_rsa"
    secret.parent.mkdir(parents=True)
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n")
    root = vault({"jane.md": JANE})
    (root / "templates").mkdir()
    (root / "templates/customer.md").symlink_to(secret)
    result = run(root, "new", "Eve Adams")
    assert result.exit_code == 7, result.output
    assert "outside the vault" in result.stderr
    assert sorted(p.name for p in root.iterdir()) == ["jane.md", "templates"]


def test_a_template_folder_linked_outside_the_vault_is_never_read(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    away = tmp_path / "away"
    away.mkdir()
    (away / "customer.md").write_text("---\nname:\n---\nsecret\n")
    root = vault({"jane.md": JANE})
    (root / "templates").symlink_to(away)
    result = run(root, "new", "Eve Adams")
    assert result.exit_code == 7
    assert not (root / "eve-adams.md").exists()


def test_a_fifo_as_template_is_refused_not_waited_for(vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE})
    (root / "templates").mkdir()
    os.mkfifo(root / "templates/customer.md")
    done = plaincrm("--vault", str(root), "new", "Eve Adams")
    assert done.returncode == 7, done.stderr
    assert "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "eve-adams.md").exists()


def test_init_never_writes_through_a_folder_linked_outside(run: Run, tmp_path: Path) -> None:
    away = tmp_path / "away"
    away.mkdir()
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "templates").symlink_to(away)
    result = run(None, "init", "--no-git", str(shop))
    assert result.exit_code == 7
    assert "outside the vault" in result.stderr
    assert list(away.iterdir()) == []
