"""The after-visit summary: what it says, in the patient's language and in words a patient reads.

``build_summary`` gathers the record into the template's fields (already-escaped HTML fragments)
and returns a ``PrintedDocument`` whose every page carries the patient's name, MRN, the visit date
and "page N of M". It refuses, with ``BadInput``, what must never reach a patient: a summary
without the clinic's phone, or for a visit dated after the patient's death or discharge. The
words are data (``resources/summary/<language>.toml``); no code, rule id or staff shorthand is
printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from survtrack.domain.errors import BadInput
from survtrack.domain.events import TO_BOOK_STATES, EventState
from survtrack.domain.late_effects import ctcae_term
from survtrack.reports.avs_template import fill, load_template
from survtrack.reports.patient_words import (
    DEFAULT_LANGUAGE,
    DateWords,
    Words,
    common,
    summary_language,
    template_name,
    words,
)
from survtrack.reports.printed_document import PrintedDocument
from survtrack.services.calendar import EventRow, load_calendar
from survtrack.services.clinic_settings import ClinicInfo, clinic_info, clinic_template_path
from survtrack.services.patient_records import PatientRecord, TreatmentRecord, load_patient
from survtrack.services.rehab import RehabRecord, load_rehab
from survtrack.services.side_effects import list_side_effects
from survtrack.services.visits import VisitRecord, check_visit_allowed
from survtrack.store.engine import Database

NORMAL_POINTS, LARGE_POINTS = 11.0, 16.0
HEADING_SCALE, TITLE_SCALE = 1.25, 1.45
HORIZON_DAYS = 365  # tests still to book: those due within a year


@dataclass(frozen=True, slots=True)
class Summary:
    document: PrintedDocument
    language: str  # the language it is written in
    staff_note: str | None  # for the staff, never printed: e.g. no template in the language


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _items(lines: Iterable[str], empty: str) -> str:
    lines = list(lines)
    if not lines:
        return _p(empty)
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _paragraphs(text: str | None) -> str:
    return "".join(_p(line) for line in (text or "").splitlines() if line.strip())


# -- the parts ----------------------------------------------------------------------------------


def diagnosis_words(w: Words, record: PatientRecord) -> str:
    if not record.tumours:
        return w("diagnosis.unknown")
    t = record.tumours[0]
    parts_of_where = [t.site]
    if t.site == "extremity" and t.limb:
        parts_of_where.append(t.limb)
        if t.laterality in ("left", "right"):
            parts_of_where.append(t.laterality)
    where_key = "where." + "_".join(parts_of_where)
    where = w(where_key) if w.has(where_key) else w(f"where.{t.site}")
    if t.risk == "any":
        return w("diagnosis.desmoid", where=where)
    histology = w("diagnosis.histology", histology=t.histology) if t.histology else ""
    parts = [w("diagnosis.sarcoma", histology=histology, where=where)]
    if t.stage:
        parts.append(w("diagnosis.stage", stage=t.stage))
    if t.size_cm:
        parts.append(w("diagnosis.size", size=f"{t.size_cm:g}"))
    if t.grade and w.has(f"diagnosis.grade_{t.grade}"):
        parts.append(w(f"diagnosis.grade_{t.grade}"))
    return " ".join(parts)


def treatment_words(w: Words, dates: DateWords, t: TreatmentRecord) -> str:
    if t.type == "surgery":
        if t.amputation_level and w.has(f"amputation_levels.{t.amputation_level}"):
            what = w(f"amputation_levels.{t.amputation_level}")
        else:
            what = w(f"procedures.{t.procedure or 'other'}")
        return w("treatment.surgery", date=dates.day(t.start), what=what)
    start, end = dates.month(t.start), dates.month(t.end)
    if t.type == "radiation":
        return w("treatment.radiation", start=start, end=end)
    return w("treatment.systemic", agents=", ".join(t.agents), start=start, end=end)


def _booked(events: list[EventRow], today: date) -> list[EventRow]:
    """Every booked appointment from today on, by its booked time (whatever its due date)."""
    booked = [
        e
        for e in events
        if e.state == EventState.BOOKED.value
        and e.booked_at is not None
        and e.booked_at.date() >= today
    ]
    return sorted(booked, key=lambda e: (e.booked_at, e.id))


def _still_to_book(events: list[EventRow], today: date) -> list[EventRow]:
    """The next test of each kind still to be booked (due within a year), by date."""
    horizon = today + timedelta(days=HORIZON_DAYS)
    waiting = sorted(
        (e for e in events if e.state in TO_BOOK_STATES and e.due <= horizon),
        key=lambda e: (e.suggested or e.due, e.kind, e.id),
    )
    first: dict[str, EventRow] = {}
    for e in waiting:
        first.setdefault(e.kind, e)
    return list(first.values())


def appointment_lines(w: Words, dates: DateWords, booked: list[EventRow]) -> str:
    if not booked:
        return _p(w("words.no_booked"))
    items = []
    for e in booked:
        assert e.booked_at is not None
        line = f"<b>{escape(dates.moment(e.booked_at))}</b>: {escape(w(f'kinds.{e.kind}.name'))}."
        if e.location:
            line += " " + escape(w("words.place", place=e.location))
        items.append(f"<li>{line}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def to_book_lines(w: Words, dates: DateWords, waiting: list[EventRow], today: date) -> str:
    return _items(
        (
            w(
                "words.to_book",
                what=w(f"kinds.{e.kind}.to_book"),
                when=dates.around(e.suggested or e.due, today),
            )
            for e in waiting
        ),
        w("words.nothing_to_book"),
    )


def preparation(w: Words, kinds: Iterable[str]) -> str:
    seen: list[str] = []
    for kind in kinds:
        if kind not in seen:
            seen.append(kind)
    if not seen:
        return _p(w("words.no_preparation"))
    return "".join(
        f"<p><b>{escape(w(f'kinds.{kind}.name'))}</b></p>"
        + _items(w.get(f"kinds.{kind}.prepare"), "")
        for kind in seen
    )


def warning_signs(w: Words, record: PatientRecord, visit_date: date) -> list[str]:
    data = common()
    surgeries = [t for t in record.treatments if t.type == "surgery"]
    holds = {
        "always": True,
        "abdominal": any(t.site in ("retroperitoneum", "visceral") for t in record.tumours),
        "anthracycline": any(
            agent.strip().casefold() in data.anthracyclines
            for t in record.treatments
            if t.type == "systemic"
            for agent in t.agents
        ),
        "amputation": any(t.procedure == "amputation" for t in surgeries),
        "recent_surgery": any(
            timedelta(0) <= visit_date - t.start <= timedelta(days=data.recent_surgery_days)
            for t in surgeries
        ),
    }
    return [w(f"signs.{sign.id}") for sign in data.warning_signs if holds[sign.when]]


def side_effect_lines(w: Words, db: Database, patient_id: int) -> list[str]:
    lines = []
    for effect in list_side_effects(db, patient_id):
        if effect.status != "ongoing":
            continue
        entry = ctcae_term(effect.term)
        plain = None
        if entry is not None:
            plain = entry.plain_in(w.language) or entry.plain_in(DEFAULT_LANGUAGE)
        grade = w(f"side_effects.grade_{effect.current_grade}")
        line = w("side_effects.line", term=effect.term, plain=plain or effect.term, grade=grade)
        if effect.management:
            line += " " + effect.management
        lines.append(line)
    return lines


def current_goal(rehab: RehabRecord, visit_date: date) -> tuple[str, date | None] | None:
    """(milestone code, target) of the goal the patient works on now, or None.

    The first milestone not reached after the last one reached, unless its target is more than
    the grace period before the visit (a goal from years ago is not the current goal).
    """
    order = [m.code for m in rehab.programme.milestones]
    milestones = sorted(
        rehab.milestones, key=lambda m: order.index(m.code) if m.code in order else len(order)
    )
    reached = [i for i, m in enumerate(milestones) if m.achieved_on is not None]
    after = milestones[reached[-1] + 1 :] if reached else milestones
    grace = timedelta(days=common().goal_grace_days)
    for m in after:
        if m.achieved_on is None and (m.target is None or m.target >= visit_date - grace):
            return m.code, m.target
    return None


def rehab_lines(
    w: Words, dates: DateWords, rehab: RehabRecord | None, visit: VisitRecord, today: date
) -> list[str]:
    lines: list[str] = []
    if rehab is None:
        return lines
    if rehab.reason == "amputation" and rehab.level and w.has(f"amputation_levels.{rehab.level}"):
        lines.append(w("rehab.plan", what=w(f"amputation_levels.{rehab.level}")))
    else:
        lines.append(w("rehab.plan_limb_sparing"))
    if rehab.k_level and w.has(f"k_levels.{rehab.k_level}"):
        lines.append(w("rehab.walking", words=w(f"k_levels.{rehab.k_level}")))
    goal = current_goal(rehab, visit.visit_date)
    if goal is not None:
        code, target = goal
        what = w(f"milestones.{code}")
        lines.append(
            w("rehab.goal", goal=what, when=dates.around(target, today))
            if target is not None
            else w("rehab.goal_no_date", goal=what)
        )
    since = visit.visit_date - timedelta(days=common().referral_days)
    referrals = [e for e in rehab.of("referral") if since <= e.on <= visit.visit_date]
    if referrals:
        lines.append(w("rehab.referrals"))
        for e in referrals:
            notes = (e.notes or "").strip()
            code = e.code if e.code != "other" or notes else "other_no_notes"
            lines.append(w(f"referrals.{code}", notes=notes))
    return lines


def follow_up_words(w: Words, dates: DateWords, events: list[EventRow]) -> str:
    visits = [
        e.due
        for e in events
        if e.kind == "clinic_visit"
        and e.state in (EventState.PLANNED.value, EventState.BOOKED.value)
    ]
    if not visits:
        return w("words.follow_up_unknown")
    return w("words.follow_up_until", month=dates.month(max(visits)))


# -- the whole summary --------------------------------------------------------------------------


def build_summary(
    db: Database,
    patient_id: int,
    visit: VisitRecord,
    today: date,
    large_print: bool = False,
    clinic: ClinicInfo | None = None,
) -> Summary:
    """The filled template (the clinic's copy in that language when there is one)."""
    clinic = clinic or clinic_info(db)
    phone = clinic.require_phone()
    record = load_patient(db, patient_id)
    if record is None:
        raise BadInput("patient", "no longer exists")
    check_visit_allowed(record.status, record.status_date, visit.visit_date)
    language = summary_language(record.language)
    note = None
    if language is None:
        note = (
            f"There is no summary template in the patient's preferred language "
            f"({record.language}); this summary is in English."
        )
        language = DEFAULT_LANGUAGE
    w = words(language)
    dates = DateWords(w, clinic.locale)
    events = load_calendar(db, patient_id)
    booked = _booked(events, today)
    waiting = _still_to_book(events, today)

    today_parts = [
        f"<p><b>{escape(w(f'words.{label}'))}:</b> {escape(text)}</p>"
        for label, text in (
            ("why_you_came", visit.reason),
            ("what_we_found", visit.findings),
            ("results", visit.results_reviewed),
            ("the_plan", visit.plan),
        )
        if text
    ]
    rehab = rehab_lines(w, dates, load_rehab(db, patient_id), visit, today)
    if visit.rehab_status:
        rehab.append(visit.rehab_status)
    points = LARGE_POINTS if large_print else NORMAL_POINTS
    name = f"{record.given_name} {record.family_name}"
    visit_day = dates.day(visit.visit_date)
    values = {
        "font_size": f"{points:g}",
        "heading_size": f"{points * HEADING_SCALE:.1f}",
        "title_size": f"{points * TITLE_SCALE:.1f}",
        "clinic_name": escape(clinic.name),
        "clinic_address": escape(clinic.address) + "<br>" if clinic.address else "",
        "clinic_phone": escape(phone),
        "after_hours": (
            _p(w("words.after_hours", phone=clinic.after_hours_phone))
            if clinic.after_hours_phone
            else ""
        ),
        "emergency": escape(clinic.emergency_in(language) or w("words.emergency")),
        "patient_name": escape(name),
        "mrn": escape(record.mrn),
        "birth_date": escape(dates.birth(record.birth_date)),
        "visit_date": escape(visit_day),
        "visit_place": escape(visit.location or clinic.name),
        "clinician": escape(visit.clinician),
        "diagnosis": escape(diagnosis_words(w, record)),
        "treatments": _items(
            (treatment_words(w, dates, t) for t in record.treatments), w("words.no_treatment")
        ),
        "today": "".join(today_parts) or _p(w("words.routine_visit")),
        "side_effects": _items(side_effect_lines(w, db, patient_id), w("words.no_side_effects")),
        "rehab": _items(rehab, w("rehab.none")),
        "appointments": appointment_lines(w, dates, booked),
        "to_book": to_book_lines(w, dates, waiting, today),
        "preparation": preparation(w, [e.kind for e in (*booked, *waiting)]),
        "warning_signs": _items(warning_signs(w, record, visit.visit_date), ""),
        "follow_up": escape(follow_up_words(w, dates, events)),
        "instructions": _paragraphs(visit.instructions) or _p(w("words.keep_appointments")),
    }
    text, origin = load_template(
        clinic_template_path(template_name(language)), template_name(language)
    )
    html = fill(text, origin, values)
    footer = w("words.footer", name=name, mrn=record.mrn, date=visit_day)
    return Summary(PrintedDocument(html, footer, w.get("words.page"), points), language, note)


def summary_html(
    db: Database, patient_id: int, visit: VisitRecord, today: date, large_print: bool = False
) -> str:
    return build_summary(db, patient_id, visit, today, large_print).document.html
