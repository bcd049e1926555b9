"""Security descriptors in SDDL, the form Windows itself prints them in
(ConvertSecurityDescriptorToStringSecurityDescriptorW, `Get-Acl … | fl`'s Sddl line):
who owns a file or folder and which accounts an allow entry lets change it.

SDDL names accounts by SID or by a two-letter alias, never by a translated name
(`BUILTIN\\Administrateurs` is `BA` on French Windows too), so the decision is the same
in every language. Pure and tested on captured descriptors (tests/fixtures/platform/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Aliases of well-known accounts (learn.microsoft.com, "SID strings"). Domain-relative ones
# (DA, DU, LA...) cannot be resolved here and stay as they are: never an administrator.
SID_ALIASES = {
    "AN": "S-1-5-7", "AO": "S-1-5-32-548", "AU": "S-1-5-11", "BA": "S-1-5-32-544",
    "BG": "S-1-5-32-546", "BO": "S-1-5-32-551", "BU": "S-1-5-32-545", "CG": "S-1-3-1",
    "CO": "S-1-3-0", "IU": "S-1-5-4", "LS": "S-1-5-19", "NS": "S-1-5-20", "NU": "S-1-5-2",
    "OW": "S-1-3-4", "PU": "S-1-5-32-547", "RC": "S-1-5-12", "RD": "S-1-5-32-555",
    "SO": "S-1-5-32-549", "SU": "S-1-5-6", "SY": "S-1-5-18", "WD": "S-1-1-0",
    "WR": "S-1-5-33", "AC": "S-1-15-2-1",
}
TRUSTED_INSTALLER = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
CREATOR_OWNER, OWNER_RIGHTS = "S-1-3-0", "S-1-3-4"
# For messages: what a person (or IT) recognises.
SID_NAMES = {
    "S-1-5-32-544": "Administrators", "S-1-5-18": "SYSTEM", TRUSTED_INSTALLER: "TrustedInstaller",
    "S-1-5-32-545": "Users", "S-1-5-11": "Authenticated Users", "S-1-1-0": "Everyone",
    "S-1-5-4": "INTERACTIVE", "S-1-3-0": "CREATOR OWNER",
}

# Access-mask letters (sddl.h); the file rights FA/FR/FW/FX are whole masks.
RIGHTS = {
    "GA": 0x10000000, "GR": 0x80000000, "GW": 0x40000000, "GX": 0x20000000,
    "RC": 0x00020000, "SD": 0x00010000, "WD": 0x00040000, "WO": 0x00080000,
    "CC": 0x1, "DC": 0x2, "LC": 0x4, "SW": 0x8, "RP": 0x10, "WP": 0x20, "DT": 0x40,
    "LO": 0x80, "CR": 0x100,
    "FA": 0x001F01FF, "FR": 0x00120089, "FW": 0x00120116, "FX": 0x001200A0,
    "KA": 0x000F003F, "KR": 0x00020019, "KW": 0x00020006, "KX": 0x00020019,
}
# Rights that let an entry change a file or what a folder holds.
WRITE_RIGHTS = (
    0x0002  # FILE_WRITE_DATA / FILE_ADD_FILE: a DLL planted in the folder
    | 0x0004  # FILE_APPEND_DATA / FILE_ADD_SUBDIRECTORY
    | 0x0040  # FILE_DELETE_CHILD
    | 0x00010000  # DELETE
    | 0x00040000  # WRITE_DAC
    | 0x00080000  # WRITE_OWNER
    | 0x10000000  # GENERIC_ALL
    | 0x40000000  # GENERIC_WRITE
)
# Rights on a folder that let an entry remove, rename or re-permission what it holds
# (creating new names beside them does not): what matters about the folders above.
REPLACE_RIGHTS = (
    0x0040  # FILE_DELETE_CHILD
    | 0x00040000  # WRITE_DAC
    | 0x00080000  # WRITE_OWNER
    | 0x10000000  # GENERIC_ALL
)
# Entry types that grant (deny entries are ignored: a write they would block still counts).
_ALLOW_TYPES = {"A", "OA", "XA", "ZA"}
_ACE = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Ace:
    kind: str  # "A" allow, "D" deny, ...
    flags: frozenset[str]  # OI CI IO ID NP ...
    mask: int
    sid: str  # a SID string (aliases resolved where they are well known)

    @property
    def applies_here(self) -> bool:
        """Inherit-only entries describe the children, not the object itself."""
        return "IO" not in self.flags


@dataclass(frozen=True)
class Descriptor:
    owner: str | None
    dacl: tuple[Ace, ...] | None  # None: no DACL, which lets everyone do anything


def sid_of(text: str) -> str:
    return SID_ALIASES.get(text, text)


def mask_of(text: str) -> int:
    """"0x1200a9", "FA", "DCLCRPCR", "GXGR" -> the access mask."""
    if text.lower().startswith("0x"):
        return int(text, 16)
    if text.isdigit():
        return int(text)
    letters = [text[i:i + 2] for i in range(0, len(text), 2)]
    if len(text) % 2 or any(pair not in RIGHTS for pair in letters):
        raise ValueError(f"unknown access rights {text!r}")
    mask = 0
    for pair in letters:
        mask |= RIGHTS[pair]
    return mask


def parse_sddl(text: str) -> Descriptor:
    """Owner and DACL of "O:…G:…D:flags(ace)(ace)…S:…"; ValueError for what is not SDDL."""
    text = "".join(text.split())  # Get-Acl wraps long descriptors
    parts = dict(re.findall(r"([OGDS]):((?:\([^()]*\)|[^():])*?)(?=[OGDS]:|$)", text))
    if not parts:
        raise ValueError("not a security descriptor")
    owner = sid_of(parts["O"]) if parts.get("O") else None
    if "D" not in parts or parts["D"].startswith("NO_ACCESS_CONTROL"):
        return Descriptor(owner, None)
    aces = []
    for body in _ACE.findall(parts["D"]):
        fields = body.split(";")
        if len(fields) < 6:
            raise ValueError(f"not an access-control entry: ({body})")
        kind, flags, rights, sid = fields[0], fields[1], fields[2], fields[5]
        aces.append(Ace(kind, frozenset(flags[i:i + 2] for i in range(0, len(flags), 2)),
                        mask_of(rights), sid_of(sid)))
    return Descriptor(owner, tuple(aces))


def writers(descriptor: Descriptor, rights: int = WRITE_RIGHTS) -> tuple[str, ...]:
    """Every SID an allow entry that applies to the object itself gives one of `rights`
    (OWNER RIGHTS and CREATOR OWNER stand for the owner); everyone when there is no DACL."""
    if descriptor.dacl is None:
        return ("S-1-1-0",)
    found: list[str] = []
    for ace in descriptor.dacl:
        if ace.kind in _ALLOW_TYPES and ace.applies_here and ace.mask & rights:
            sid = ace.sid
            if sid in (CREATOR_OWNER, OWNER_RIGHTS) and descriptor.owner:
                sid = descriptor.owner
            if sid not in found:
                found.append(sid)
    return tuple(found)


def named(sid: str) -> str:
    name = SID_NAMES.get(sid)
    return f"{name} ({sid})" if name else sid
