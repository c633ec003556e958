"""The words a user reads for each stored code: combos, tables and exports show these, never the
code (``imrt`` is "IMRT", ``transtibial`` is "Transtibial (below knee)", ``booked`` is "Booked").

Event kinds and states have their own maps in ``domain.events``; amputation levels take their
label from the rehabilitation reference (``resources/rehab/rehab.toml``). Everything else is here,
one map per field, so a new code gets its words in one place.
"""

from __future__ import annotations

from survtrack.domain.events import KIND_LABELS, STATE_LABELS, EventKind, EventState
from survtrack.domain.late_effects import PAIN_KINDS, rehab_reference
from survtrack.domain.sites import SITE_LABELS

#: field -> code -> label
CODE_LABELS: dict[str, dict[str, str]] = {
    "procedure": {
        "wide_local_excision": "Wide local excision",
        "limb_sparing": "Limb-sparing surgery",
        "amputation": "Amputation",
        "mohs": "Mohs surgery",
        "lymphadenectomy": "Lymphadenectomy",
        "metastasectomy": "Metastasectomy",
        "other": "Other",
    },
    "margin": {
        "R0": "R0 (clear margins)",
        "R1": "R1 (microscopic tumour at the margin)",
        "R2": "R2 (visible tumour left)",
    },
    "timing": {
        "preoperative": "Before surgery (preoperative)",
        "postoperative": "After surgery (postoperative)",
        "definitive": "Definitive (no surgery)",
        "palliative": "Palliative",
    },
    "modality": {
        "external_beam": "External beam",
        "imrt": "IMRT",
        "proton": "Proton therapy",
        "brachytherapy": "Brachytherapy",
    },
    "recurrence": {"local": "Local recurrence", "distant": "Distant metastasis"},
    "status": {
        "active": "Active follow-up",
        "deceased": "Deceased",
        "discharged": "Discharged",
        "transferred": "Transferred",
    },
    "sex": {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"},
    "limb": {"upper": "Upper limb", "lower": "Lower limb"},
    "laterality": {"left": "Left", "right": "Right", "midline": "Midline"},
    "depth": {"superficial": "Superficial", "deep": "Deep"},
    "nodes": {"N0": "N0 (no nodes involved)", "N1": "N1 (regional nodes involved)"},
    "metastasis": {"M0": "M0 (no distant metastasis)", "M1": "M1 (distant metastasis)"},
    "attribution": {
        "surgery": "Surgery",
        "radiation": "Radiation",
        "chemotherapy": "Chemotherapy",
        "targeted therapy": "Targeted therapy",
        "other": "Other",
    },
    "referral": {
        "equipment": "Equipment",
        "prosthetist": "Prosthetist",
        "psychology": "Psychology",
        "peer_support": "Peer support",
        "other": "Other",
    },
    "pain": dict(PAIN_KINDS),
    "rehab_entry": {
        "session": "Session",
        "measure": "Outcome measure",
        "pain": "Pain score",
        "referral": "Referral",
        "k_level": "K level",
        "visit": "Visit",
    },
    "site": {site.value: label for site, label in SITE_LABELS.items()},
    "kind": {kind.value: label for kind, label in KIND_LABELS.items()},
    "state": {state.value: label for state, label in STATE_LABELS.items()},
    "risk": {"high": "High risk", "low": "Low risk", "any": "Desmoid"},
}


def _plain(code: str) -> str:
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def label(field: str, code: str | None) -> str:
    """The words for ``code`` of ``field``; an unknown code is shown as plain words, never raw."""
    if not code:
        return ""
    if field == "amputation_level":
        found = rehab_reference().levels.get(code)
        return found.label if found else _plain(code)
    return CODE_LABELS.get(field, {}).get(code) or _plain(code)


def kind_label(code: str) -> str:
    return EventKind(code).label if code in EventKind._value2member_map_ else _plain(code)


def state_label(code: str) -> str:
    return STATE_LABELS[EventState(code)] if code in EventState._value2member_map_ else _plain(code)
