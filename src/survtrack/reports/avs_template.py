"""The after-visit summary template: the shipped one, or the clinic's copy in the data folder.

A template is HTML with ``${field}`` placeholders (``string.Template``), one per summary language
(``avs.html`` English, ``avs.es.html`` Spanish). A clinic copy that is broken (an unknown field, a
stray ``$``, unreadable) is refused with ``TemplateError`` naming the file, the field and the line,
never printed as a blank or half-filled page.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from survtrack.resources import resource

FIELDS = (
    "font_size",
    "heading_size",
    "title_size",
    "clinic_name",
    "clinic_address",
    "clinic_phone",
    "after_hours",
    "emergency",
    "patient_name",
    "mrn",
    "birth_date",
    "visit_date",
    "visit_place",
    "clinician",
    "diagnosis",
    "treatments",
    "today",
    "side_effects",
    "rehab",
    "appointments",
    "to_book",
    "preparation",
    "warning_signs",
    "follow_up",
    "instructions",
)


class TemplateError(ValueError):
    """A summary template that cannot be used; the message says which file and why."""


def load_template(clinic_copy: Path | None, name: str = "avs.html") -> tuple[str, str]:
    """(template text, where it came from): the clinic's copy when it exists, else the shipped
    template ``name`` (``avs.html`` in English, ``avs.es.html`` in Spanish...)."""
    if clinic_copy is not None and clinic_copy.exists():
        try:
            return clinic_copy.read_text(encoding="utf-8"), str(clinic_copy)
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"clinic template {clinic_copy}: cannot be read ({exc})") from None
    return resource("templates", name).read_text(encoding="utf-8"), f"shipped template {name}"


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 0


def fill(text: str, origin: str, values: dict[str, str]) -> str:
    template = Template(text)
    if not template.is_valid():
        for match in template.pattern.finditer(text):
            if match.group("invalid") is not None:
                line = text.count("\n", 0, match.start()) + 1
                raise TemplateError(
                    f"{origin}: a '$' that is not a field, line {line} (write $$ for a dollar sign)"
                )
    for name in template.get_identifiers():
        if name not in FIELDS:
            raise TemplateError(
                f"{origin}: unknown field ${{{name}}} on line "
                f"{_line_of(text, name)}; known fields: {', '.join(FIELDS)}"
            )
    missing = [
        name for name in ("patient_name", "appointments") if name not in template.get_identifiers()
    ]
    if missing:
        raise TemplateError(f"{origin}: the template must show ${{{missing[0]}}}")
    return template.substitute(values)
