"""Protocol sets: the shipped protocols, or a clinic's own set, chosen in the clinic settings.

A clinic keeps its own protocol files (TOML, the format of the shipped ones) in a ``protocols``
folder that its IT manages (``clinic_protocol_dir``): files directly in it form the set
"Clinic protocols"; each subfolder holding files forms a set named after the folder. A clinic set
is the shipped files with the clinic's files on top: a clinic file whose ``[protocol] id`` is a
shipped protocol's id replaces that protocol, any other adds one (a protocol for GIST, say, with
``histology = "chosen"`` so that it is only used when a physician assigns it).

Every file of a set is validated when the set is loaded; a file that cannot be used refuses the
whole set with a sentence naming the file, the rule and the field: a set is never used half.
"""

from __future__ import annotations

import configparser
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from survtrack.domain.errors import BadInput
from survtrack.domain.sites import SITE_LABELS, Site
from survtrack.protocols.loader import ProtocolError, default_protocol_dir, parse_protocol_files
from survtrack.protocols.model import ProtocolSet, SiteProtocol
from survtrack.services.locations import data_dir, machine_config, machine_data_dir

SHIPPED_SET = "SurvTrack default"
CLINIC_SET = "Clinic protocols"
FIELD = "Default protocol set"
WHERE = "Administration > Clinic settings"


def clinic_protocol_dir() -> Path:
    """The clinic's own protocol files, first match wins: ``folder`` in the ``[protocols]``
    section of the machine's ``survtrack.ini`` (a network folder every workstation reads); the
    ``protocols`` folder in ``SURVTRACK_DATA_DIR`` when that is set; ``protocols`` in the
    machine-wide data folder on Windows (``%PROGRAMDATA%\\SurvTrack\\protocols``); ``protocols``
    in the per-user data folder elsewhere."""
    path = machine_config()
    if path is not None:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (OSError, UnicodeDecodeError, configparser.Error) as exc:
            raise BadInput(str(path), f"cannot be read: {exc}") from None
        folder = parser.get("protocols", "folder", fallback="").strip()
        if folder:
            return Path(folder).expanduser()
    machine = machine_data_dir()
    if os.environ.get("SURVTRACK_DATA_DIR") or machine is None:
        return data_dir() / "protocols"
    return machine / "protocols"


def _toml_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError:
        return []


def clinic_sets() -> dict[str, Path]:
    """The clinic's sets by name, each with its folder (none when the folder has no files)."""
    root = clinic_protocol_dir()
    sets: dict[str, Path] = {}
    if _toml_files(root):
        sets[CLINIC_SET] = root
    try:
        subfolders = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        subfolders = []
    for folder in subfolders:
        if _toml_files(folder) and folder.name not in (SHIPPED_SET, CLINIC_SET):
            sets[folder.name] = folder
    return sets


def available_sets() -> list[str]:
    """The names a clinic can choose as its default set: the shipped set first."""
    return [SHIPPED_SET, *clinic_sets()]


def _stamp(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in files:
        stat = path.stat()
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def load_set(name: str | None) -> ProtocolSet:
    """The protocols of a set (None or '': the shipped set), every file validated.

    ``BadInput`` names the set and, for a broken file, the file, rule and field.
    """
    if not name or name == SHIPPED_SET:
        return _load(_stamp(_toml_files(default_protocol_dir())), ())
    folder = clinic_sets().get(name)
    if folder is None:
        raise BadInput(
            FIELD,
            f"{name!r} is not a protocol set on this workstation (no protocol files in "
            f"{clinic_protocol_dir() / name if name != CLINIC_SET else clinic_protocol_dir()}); "
            f"an administrator chooses one of {', '.join(available_sets())} in {WHERE}",
        )
    try:
        return _load(_stamp(_toml_files(default_protocol_dir())), _stamp(_toml_files(folder)))
    except OSError as exc:
        raise BadInput(FIELD, f"the files of {name!r} cannot be read: {exc}") from None


def problem_with_set(name: str | None) -> str | None:
    """Why a set cannot be used, in words; None when it loads."""
    try:
        load_set(name)
    except BadInput as exc:
        return f"{exc.field}: {exc.reason}" if exc.field != FIELD else exc.reason
    return None


def clinic_file_problems() -> list[str]:
    """A sentence for each clinic set that cannot be used (start-up and the settings dialog)."""
    problems = []
    for name in clinic_sets():
        problem = problem_with_set(name)
        if problem:
            problems.append(f"The protocol set {name!r} cannot be used: {problem}")
    return problems


def protocol_problems(default_set: str | None) -> list[str]:
    """What the staff are told at start: each clinic set that cannot be used, and a default set
    that is missing here (its calendars are not made until it is fixed or another is chosen)."""
    problems = clinic_file_problems()
    if default_set and default_set != SHIPPED_SET and default_set not in clinic_sets():
        problems.append(
            f"The clinic's default protocol set {default_set!r} is not on this workstation: "
            f"calendars cannot be made until it is in {clinic_protocol_dir()} or an "
            f"administrator chooses another in {WHERE}."
        )
    elif any(default_set and p.startswith(f"The protocol set {default_set!r}") for p in problems):
        problems.append(
            f"Calendars cannot be made until the clinic's default protocol set {default_set!r} "
            f"is fixed or an administrator chooses another in {WHERE}; patients edited "
            "meanwhile are listed on the Needs a plan tab."
        )
    return problems


@lru_cache(maxsize=8)
def _load(
    shipped: tuple[tuple[str, int, int], ...], clinic: tuple[tuple[str, int, int], ...]
) -> ProtocolSet:
    """Parse a set; cached on the files' names, times and sizes, so an edited file is re-read."""
    clinic_texts = [(path, Path(path).read_text(encoding="utf-8")) for path, _, _ in clinic]
    replaced = set()
    for _path, text in clinic_texts:
        try:
            header = tomllib.loads(text).get("protocol")
        except tomllib.TOMLDecodeError:
            continue  # parse_protocol_files names the file
        if isinstance(header, dict) and isinstance(header.get("id"), str):
            replaced.add(header["id"])
    named = []
    for path, _, _ in shipped:
        text = Path(path).read_text(encoding="utf-8")
        header = tomllib.loads(text).get("protocol", {})
        if header.get("id") not in replaced:
            named.append((Path(path).name, text))
    named.extend(clinic_texts)
    try:
        return parse_protocol_files(named)
    except ProtocolError as exc:
        raise BadInput("Protocol file", str(exc)) from None


@dataclass(frozen=True, slots=True)
class ProtocolChoice:
    """A protocol as a physician picks it: its id (stored), its name and what it covers."""

    id: str
    name: str
    covers: str


def covers(protocol: SiteProtocol) -> str:
    """What a protocol covers, in words."""
    sites = ", ".join(SITE_LABELS[site].lower() for site in Site if site.value in protocol.sites)
    if protocol.histology == "desmoid":
        return f"Desmoid tumours at any of: {sites}"
    if protocol.histology == "chosen":
        return f"Only when assigned to a patient; written for: {sites}"
    return f"Sarcomas of: {sites} (the default for these sites)"


def protocol_choices(protocols: ProtocolSet) -> list[ProtocolChoice]:
    """The site protocols of a set, by name."""
    return sorted(
        (ProtocolChoice(p.id, p.name, covers(p)) for p in protocols.site_protocols),
        key=lambda c: c.name.casefold(),
    )


__all__ = [
    "CLINIC_SET",
    "SHIPPED_SET",
    "ProtocolChoice",
    "available_sets",
    "clinic_file_problems",
    "clinic_protocol_dir",
    "clinic_sets",
    "load_set",
    "problem_with_set",
    "protocol_choices",
    "protocol_problems",
]
