"""Reading and validating the case file (DESIGN.md section 4) into ``Case`` facts.

Every refusal is a ``BadInput`` naming the dotted field (``treatments[1].end``) and the reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from survtrack.domain.agents import agent_catalogue
from survtrack.domain.case import (
    Case,
    Radiation,
    Recurrence,
    Status,
    Surgery,
    Systemic,
    Treatment,
    Tumour,
    first_anchor,
)
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.risk import require_default_protocol
from survtrack.domain.sites import (
    AMPUTATION_LEVELS,
    Depth,
    Laterality,
    Limb,
    Metastasis,
    Nodes,
    Site,
)

E = TypeVar("E", bound=StrEnum)

SURGERY_PROCEDURES = (
    "wide_local_excision",
    "limb_sparing",
    "amputation",
    "mohs",
    "lymphadenectomy",
    "metastasectomy",
    "other",
)
MARGINS = ("R0", "R1", "R2")
RADIATION_TIMINGS = ("preoperative", "postoperative", "definitive", "palliative")
RADIATION_MODALITIES = ("external_beam", "imrt", "proton", "brachytherapy")
RECURRENCE_KINDS = ("local", "distant")
STATUS_STATES = ("active", "deceased", "discharged")

_TOP_FIELDS = {"surveillance_start", "status", "tumour", "treatments", "recurrences"}
_TUMOUR_FIELDS = {
    "site",
    "limb",
    "laterality",
    "histology",
    "grade",
    "size_cm",
    "depth",
    "nodes",
    "metastasis",
}
_TREATMENT_FIELDS = {
    "surgery": {"type", "date", "procedure", "amputation_level", "margin"},
    "radiation": {"type", "start", "end", "timing", "modality", "dose_gy"},
    "systemic": {"type", "start", "end", "agents", "doxorubicin_mg_m2"},
}


class TooLongNumber:
    """A JSON number with too many digits to convert; refused where a field reads it."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a number of {self.digits} digits"


def _parse_int(text: str) -> int | TooLongNumber:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return TooLongNumber(len(text))


def parse_case_json(text: str) -> Case:
    """Parse the text of a case file; malformed JSON is bad input too."""
    try:
        data = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise BadInput(
            "case file", f"malformed JSON at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise BadInput("case file", "JSON nested too deeply") from None
    return parse_case(data)


def parse_case(data: Any) -> Case:
    obj = _mapping(data, "case file")
    _no_unknown(obj, _TOP_FIELDS, "")
    if "tumour" not in obj:
        raise BadInput("tumour", "is required")
    tumour = _tumour(_mapping(obj["tumour"], "tumour"))
    treatments = tuple(
        _treatment(item, f"treatments[{index}]")
        for index, item in enumerate(_list(obj.get("treatments", []), "treatments"))
    )
    recurrences = tuple(
        _recurrence(item, f"recurrences[{index}]")
        for index, item in enumerate(_list(obj.get("recurrences", []), "recurrences"))
    )
    status = _status(obj.get("status"))
    start = _optional_date(obj, "surveillance_start", "surveillance_start")
    case = Case(
        tumour=tumour,
        treatments=treatments,
        recurrences=tuple(sorted(recurrences, key=lambda r: r.date)),
        status=status,
        surveillance_start=start,
    )
    check_case(case)
    return case


def check_case(case: Case) -> None:
    """Rules that span fields: a protocol must exist, the first episode must have an anchor, and
    a deceased or discharged status cannot be dated before that anchor."""
    require_default_protocol(case.tumour.histology, "tumour.histology")
    anchor = first_anchor(case)
    stop = case.status.date
    if case.status.ends_surveillance and stop is not None and stop < anchor:
        raise BadInput(
            "status.date",
            f"{stop.isoformat()} is before the start of follow-up ({anchor.isoformat()})",
        )


# --- field readers -------------------------------------------------------------------------


def _tumour(obj: Mapping[str, Any]) -> Tumour:
    _no_unknown(obj, _TUMOUR_FIELDS, "tumour.")
    if "site" not in obj or obj["site"] is None:
        raise BadInput("tumour.site", "is required")
    size = obj.get("size_cm")
    if size is not None:
        size = _number(size, "tumour.size_cm")
        if size <= 0:
            raise BadInput("tumour.size_cm", "must be greater than 0")
    histology = obj.get("histology")
    if histology is not None and not isinstance(histology, str):
        raise BadInput("tumour.histology", "must be text")
    return Tumour(
        site=_enum(Site, obj["site"], "tumour.site"),
        limb=_optional_enum(Limb, obj, "limb", "tumour.limb"),
        laterality=_optional_enum(Laterality, obj, "laterality", "tumour.laterality"),
        histology=histology,
        grade=_optional_enum(Grade, obj, "grade", "tumour.grade"),
        size_cm=size,
        depth=_optional_enum(Depth, obj, "depth", "tumour.depth"),
        nodes=_optional_enum(Nodes, obj, "nodes", "tumour.nodes"),
        metastasis=_optional_enum(Metastasis, obj, "metastasis", "tumour.metastasis"),
    )


def _treatment(data: Any, path: str) -> Treatment:
    obj = _mapping(data, path)
    kind = obj.get("type")
    if kind is None:
        raise BadInput(f"{path}.type", "is required")
    if not isinstance(kind, str) or kind not in _TREATMENT_FIELDS:
        raise BadInput(f"{path}.type", f"must be one of {', '.join(_TREATMENT_FIELDS)}")
    _no_unknown(obj, _TREATMENT_FIELDS[kind], f"{path}.")
    if kind == "surgery":
        procedure = _choice(
            _required(obj, "procedure", path), SURGERY_PROCEDURES, f"{path}.procedure"
        )
        level = obj.get("amputation_level")
        if procedure == "amputation":
            level = _choice(
                _required(obj, "amputation_level", path),
                AMPUTATION_LEVELS,
                f"{path}.amputation_level",
            )
        elif level is not None:
            raise BadInput(
                f"{path}.amputation_level", "is only allowed when procedure is amputation"
            )
        margin = obj.get("margin")
        if margin is not None:
            margin = _choice(margin, MARGINS, f"{path}.margin")
        return Surgery(
            date=_date(_required(obj, "date", path), f"{path}.date"),
            procedure=procedure,
            amputation_level=level,
            margin=margin,
        )
    start = _date(_required(obj, "start", path), f"{path}.start")
    end = _date(_required(obj, "end", path), f"{path}.end")
    if end < start:
        raise BadInput(f"{path}.end", "is before start")
    if kind == "radiation":
        dose = obj.get("dose_gy")
        if dose is not None:
            dose = _number(dose, f"{path}.dose_gy")
            if dose <= 0:
                raise BadInput(f"{path}.dose_gy", "must be greater than 0")
        return Radiation(
            start=start,
            end=end,
            timing=_optional_choice(obj, "timing", RADIATION_TIMINGS, path),
            modality=_optional_choice(obj, "modality", RADIATION_MODALITIES, path),
            dose_gy=dose,
        )
    agents_raw = _list(_required(obj, "agents", path), f"{path}.agents")
    if not agents_raw:
        raise BadInput(f"{path}.agents", "must name at least one agent")
    agents = []
    for index, agent in enumerate(agents_raw):
        if not isinstance(agent, str) or not agent.strip():
            raise BadInput(f"{path}.agents[{index}]", "must be a non-empty agent name")
        agents.append(agent.strip())
    systemic = Systemic(start=start, end=end, agents=tuple(agents))
    dose = obj.get("doxorubicin_mg_m2")
    if dose is not None:
        dose = _number(dose, f"{path}.doxorubicin_mg_m2")
        if dose < 0:
            raise BadInput(f"{path}.doxorubicin_mg_m2", "must not be negative")
        catalogue = agent_catalogue()
        if catalogue.anthracycline_factor(systemic.agents) is None:
            names = ", ".join(catalogue.anthracycline_names())
            raise BadInput(
                f"{path}.doxorubicin_mg_m2",
                f"given but no anthracycline ({names}) is among the agents",
            )
    return Systemic(start=start, end=end, agents=tuple(agents), doxorubicin_mg_m2=dose)


def _recurrence(data: Any, path: str) -> Recurrence:
    obj = _mapping(data, path)
    _no_unknown(obj, {"date", "kind"}, f"{path}.")
    return Recurrence(
        date=_date(_required(obj, "date", path), f"{path}.date"),
        kind=_choice(_required(obj, "kind", path), RECURRENCE_KINDS, f"{path}.kind"),
    )


def _status(data: Any) -> Status:
    if data is None:
        return Status()
    obj = _mapping(data, "status")
    _no_unknown(obj, {"state", "date"}, "status.")
    state = _choice(obj.get("state", "active"), STATUS_STATES, "status.state")
    when = _optional_date(obj, "date", "status.date")
    if state != "active" and when is None:
        raise BadInput("status.date", f"is required when the state is {state}")
    return Status(state=state, date=when)


# --- primitives ----------------------------------------------------------------------------


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(path, "must be a JSON object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadInput(path, "must be a JSON list")
    return value


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]{1,40}")


def _no_unknown(obj: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for key in obj:
        if key not in allowed:
            if _PLAIN_KEY.fullmatch(key):
                raise BadInput(f"{prefix}{key}", "unknown field")
            # an empty or strange name cannot stand as the field: the object is named instead
            raise BadInput(prefix.rstrip(".") or "case file", f"unknown field {_shown(key)}")


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if obj.get(key) is None:
        raise BadInput(f"{path}.{key}", "is required")
    return obj[key]


def _number(value: Any, path: str) -> float:
    if isinstance(value, TooLongNumber):
        raise BadInput(path, f"number too long to convert ({value.digits} digits)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(path, "must be a number")
    try:
        number = float(value)
    except OverflowError:
        raise BadInput(path, "number too large") from None
    if math.isnan(number):
        raise BadInput(path, "must be a number")
    if not math.isfinite(number):
        raise BadInput(path, "number too large")
    return number


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: Any, path: str) -> date:
    """A calendar date written exactly YYYY-MM-DD (no ISO week or ordinal dates, no time)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise BadInput(path, "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(path, f"{value!r} is not a calendar date") from None


_date = parse_date


def _optional_date(obj: Mapping[str, Any], key: str, path: str) -> date | None:
    value = obj.get(key)
    return None if value is None else _date(value, path)


def _shown(value: Any, limit: int = 40) -> str:
    """A value as the message quotes it: short, whatever was typed (a 5 MB string or a list)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _choice(value: Any, allowed: tuple[str, ...], path: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise BadInput(path, f"{_shown(value)} is not one of {', '.join(allowed)}")
    return str(value)


def _optional_choice(
    obj: Mapping[str, Any], key: str, allowed: tuple[str, ...], path: str
) -> str | None:
    value = obj.get(key)
    return None if value is None else _choice(value, allowed, f"{path}.{key}")


def _enum(enum: type[E], value: Any, path: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise BadInput(path, f"{_shown(value)} is not one of {allowed}") from None


def _optional_enum(enum: type[E], obj: Mapping[str, Any], key: str, path: str) -> E | None:
    value = obj.get(key)
    return None if value is None else _enum(enum, value, path)
