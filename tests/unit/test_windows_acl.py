"""Who may change a folder, decided from its security descriptor: real `Get-Acl | fl`
captures (tests/fixtures/platform/windows/get-acl-*.txt) through the SDDL parser the
Windows code feeds with GetNamedSecurityInfoW's descriptor, and the same decision on
real files here (POSIX owners and modes)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import checks.platform as platform
from checks.platform.file_access import FileAccess, why_not_admin_only
from checks.platform.parsers.sddl import mask_of, parse_sddl, writers
from tests.captures import windows

USERS, AUTHENTICATED = "S-1-5-32-545", "S-1-5-11"
TRUSTED_INSTALLER = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"


def sddl_of(get_acl_output: str) -> str:
    """The Sddl field of `Get-Acl | fl`, which the console wraps onto indented lines."""
    block = get_acl_output.split("Sddl   : ", 1)[1]
    lines = [block.splitlines()[0]]
    for line in block.splitlines()[1:]:
        if not line.startswith(" " * 9):
            break
        lines.append(line.strip())
    return "".join(lines)


def decided(name: str) -> tuple[FileAccess, str | None]:
    descriptor = parse_sddl(sddl_of(windows(name)))
    access = FileAccess(descriptor.owner or "", writers(descriptor), False, True, False)
    return access, why_not_admin_only(name, access)


def test_a_folder_an_administrator_made_in_programdata_is_still_writable_by_users() -> None:
    """Owner Administrators, yet ProgramData's inherited (CI) Users entry (add file, add
    folder) reaches every new folder in it: not admin-made, whatever its owner says."""
    access, reason = decided("get-acl-programdata-updatemonitor-users-write-inherited.txt")
    assert access.owner == "S-1-5-32-544"
    assert USERS in access.writers
    assert reason is not None and f"Users ({USERS})" in reason


def test_program_files_inheritance_is_admin_only() -> None:
    access, reason = decided("get-acl-program-files-httpserver-inherited.txt")
    assert reason is None
    assert set(access.writers) == {TRUSTED_INSTALLER, "S-1-5-18", "S-1-5-32-544"}


def test_one_users_create_files_entry_in_program_files_is_enough_to_refuse() -> None:
    """(A;;0x100002;;;BU): Users may add files, so may plant a DLL beside an executable."""
    _access, reason = decided("get-acl-program-files-folder-users-createfiles.txt")
    assert reason is not None and "Users" in reason


def test_a_folder_a_person_owns_is_theirs_in_any_language() -> None:
    """French Windows prints BUILTIN\\Administrateurs; SDDL says BA all the same."""
    access, reason = decided("get-acl-fr-fr-d-drive-folder-owned-by-user.txt")
    assert access.owner == "S-1-5-21-1739485902-3336647338-3362325240-1001"
    assert AUTHENTICATED in access.writers
    assert reason is not None and "not to an administrator" in reason


def test_access_masks_and_a_missing_dacl() -> None:
    assert mask_of("DCLCRPCR") == 0x116  # what ProgramData grants Users
    assert mask_of("0x1200a9") == 0x1200A9 and mask_of("FA") == 0x1F01FF
    with pytest.raises(ValueError):
        mask_of("XYZ")
    assert writers(parse_sddl("O:BAD:NO_ACCESS_CONTROL")) == ("S-1-1-0",)
    # Inherit-only entries are what children get: CREATOR OWNER's full control is not a
    # writer of the folder itself.
    assert writers(parse_sddl("O:BAD:P(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)")) == (
        "S-1-5-32-544",)


@pytest.mark.skipif(os.geteuid() != 0, reason="changing owners needs root")
def test_machine_settings_count_only_when_only_an_administrator_can_have_written_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "wxdoctor"
    folder.mkdir(mode=0o755)
    config = folder / "config.toml"
    config.write_text("deadline_s = 8\n")
    os.chmod(config, 0o644)
    monkeypatch.setattr(platform._os, "machine_config_path", lambda: config)
    assert platform.machine_config_path() == config
    os.chmod(folder, 0o777)  # anyone could have put the file there
    assert platform.machine_config_path() is None
    assert re.search(r"may be changed by others", platform.not_admin_made(str(config)) or "")
    os.chmod(folder, 0o755)
    os.chown(config, 1000, 1000)  # a user's file
    assert platform.machine_config_path() is None
    assert "belongs to 1000" in (platform.not_admin_made(str(config)) or "")
