"""The tables: users, patients and their diagnosis, follow-up events (with each kind's last
completion), side effects, rehabilitation, visits and the audit log.

Codes (site, grade, state, ...) are stored as their short text values, the same strings the case
file and the domain enums use, so a database row reads like the case file.
"""

from __future__ import annotations

from datetime import date, datetime
from secrets import token_hex

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import TextClause

from survtrack.domain.events import TO_BOOK_STATES, UNFINISHED_STATES, states_sql
from survtrack.store.base import Base, Versioned, int_pk, str_code, str_name, str_text


class User(Versioned, Base):
    __tablename__ = "users"

    id: Mapped[int_pk]
    username: Mapped[str_code] = mapped_column(unique=True)
    full_name: Mapped[str_name]
    role: Mapped[str_code]  # scheduler, physician, therapist, administrator
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    #: failed sign-ins in a row (reset by a good one) and the time before which it is refused
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    #: set by an administrator's reset: the next sign-in must choose a new password
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )

    __table_args__ = (
        CheckConstraint(
            "role IN ('scheduler', 'physician', 'therapist', 'administrator')", name="role"
        ),
    )


class Patient(Versioned, Base):
    __tablename__ = "patients"

    id: Mapped[int_pk]
    mrn: Mapped[str_code] = mapped_column(unique=True)
    family_name: Mapped[str_name]
    given_name: Mapped[str_name]
    #: lower-case "family, given mrn": sorts by name and is searched as you type from its index
    #: alone (kept in step by the listener below and by ``search_key`` for bulk inserts)
    search_key: Mapped[str] = mapped_column(String(300), index=True)
    birth_date: Mapped[date]
    sex: Mapped[str_code]  # female, male, other, unknown
    phone: Mapped[str_code | None]
    language: Mapped[str_code | None]
    physician: Mapped[str_name | None] = mapped_column(index=True)
    status: Mapped[str_code] = mapped_column(default="active")
    status_date: Mapped[date | None]
    created_at: Mapped[datetime]
    #: why no follow-up calendar could be made (no tumour, no anchor, no default protocol), set
    #: by every regeneration; an active patient with one is on the "Needs a plan" worklist
    plan_problem: Mapped[str_text | None]
    #: a protocol a physician chose for this patient instead of the match by site and histology
    #: (its id in the protocol set in use), why, who and when; None: the clinic's default
    protocol_id: Mapped[str_name | None]
    protocol_reason: Mapped[str_text | None]
    protocol_chosen_by: Mapped[str_name | None]
    protocol_chosen_at: Mapped[datetime | None]
    # A random secret per patient from which calendar-file UIDs are derived (never the MRN or
    # name); set at registration, or at the first export for rows written without one.
    calendar_key: Mapped[str | None] = mapped_column(String(64), default=lambda: token_hex(16))

    tumours: Mapped[list[Tumour]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Tumour.id"
    )
    treatments: Mapped[list[TreatmentRow]] = relationship(
        back_populates="patient",
        cascade="all, delete-orphan",
        order_by="(TreatmentRow.start, TreatmentRow.id)",
    )
    recurrences: Mapped[list[RecurrenceRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="RecurrenceRow.date"
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'deceased', 'discharged', 'transferred')", name="status"
        ),
        CheckConstraint("status = 'active' OR status_date IS NOT NULL", name="status_date"),
    )

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


def search_key(family_name: str, given_name: str, mrn: str) -> str:
    return f"{family_name.strip()}, {given_name.strip()} {mrn.strip()}".casefold()


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _keep_search_key(_mapper: object, _connection: object, patient: Patient) -> None:
    patient.search_key = search_key(patient.family_name, patient.given_name, patient.mrn)


class Tumour(Versioned, Base):
    __tablename__ = "tumours"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    diagnosis_date: Mapped[date | None]
    site: Mapped[str_code]
    limb: Mapped[str_code | None]
    laterality: Mapped[str_code | None]
    histology: Mapped[str_name | None]
    grade: Mapped[str_code | None]
    fnclcc_score: Mapped[int | None]
    size_cm: Mapped[float | None] = mapped_column(Float)
    depth: Mapped[str_code | None]
    nodes: Mapped[str_code | None]
    metastasis: Mapped[str_code | None]
    t4_invasion: Mapped[bool] = mapped_column(Boolean, default=False)
    #: computed by the services from the fields above whenever they change
    t_category: Mapped[str_code | None]
    stage: Mapped[str_code | None]
    risk: Mapped[str_code | None]

    patient: Mapped[Patient] = relationship(back_populates="tumours")

    __table_args__ = (CheckConstraint("size_cm IS NULL OR size_cm > 0", name="size_positive"),)


class TreatmentRow(Versioned, Base):
    """Surgery, radiation or systemic therapy; columns that do not apply to a type stay null."""

    __tablename__ = "treatments"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str_code]  # surgery, radiation, systemic
    start: Mapped[date]  # surgery: the operation date
    end: Mapped[date]  # surgery: the operation date
    procedure: Mapped[str_code | None]
    margin: Mapped[str_code | None]
    amputation_level: Mapped[str_code | None]
    timing: Mapped[str_code | None]
    modality: Mapped[str_code | None]
    dose_gy: Mapped[float | None] = mapped_column(Float)
    agents: Mapped[str_text | None]  # comma separated
    doxorubicin_mg_m2: Mapped[float | None] = mapped_column(Float)

    patient: Mapped[Patient] = relationship(back_populates="treatments")

    __table_args__ = (
        CheckConstraint("type IN ('surgery', 'radiation', 'systemic')", name="type"),
        CheckConstraint('"end" >= start', name="end_after_start"),
        CheckConstraint("doxorubicin_mg_m2 IS NULL OR doxorubicin_mg_m2 >= 0", name="dose"),
    )


class RecurrenceRow(Versioned, Base):
    __tablename__ = "recurrences"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[date]
    kind: Mapped[str_code]  # local, distant

    patient: Mapped[Patient] = relationship(back_populates="recurrences")


#: Events still to be booked. Written out (not bound) so that the database can match a query's
#: condition to the partial index below; queries use ``open_event_condition()``.
OPEN_STATES_SQL = states_sql(TO_BOOK_STATES)
#: Events not done, not waived and not superseded: the ones that can be overdue.
UNFINISHED_STATES_SQL = states_sql(UNFINISHED_STATES)
BOOKED_STATE_SQL = "state = 'booked'"


#: The overdue worklist's covering index, in key order (see ``FollowUpEvent.__table_args__``).
UNFINISHED_INDEX_COLUMNS = (
    "window_end",
    "risk",
    "kind",
    "patient_id",
    "due",
    "state",
    "booked_at",
    "version",
    "acknowledged_at",
    "acknowledged_by",
)


class FollowUpEvent(Versioned, Base):
    __tablename__ = "followup_events"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    episode: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str_code]
    due: Mapped[date]
    window_start: Mapped[date]
    window_end: Mapped[date]
    suggested: Mapped[date | None]
    rule_id: Mapped[str_name]
    source: Mapped[str] = mapped_column(Text)
    state: Mapped[str_code] = mapped_column(default="planned")
    #: the appointment's local wall-clock time at the clinic (no time zone)
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    location: Mapped[str_name | None]
    result: Mapped[str_code | None]
    reason: Mapped[str_text | None]
    moved_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    #: risk tier the rule was chosen for: the first episode's tier, "high" after a recurrence
    risk: Mapped[str_code | None]
    #: the day it was done or waived (for the overdue history); cleared when reopened
    closed_on: Mapped[date | None]
    note: Mapped[str_text | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str_code | None]
    #: the completion that covered this event (state "covered"), and the state it had before,
    #: so that undoing or reopening that completion reopens exactly the events it covered. A
    #: plain link: completed events are never deleted while their patient exists.
    covered_by: Mapped[int | None] = mapped_column(Integer)
    covered_from: Mapped[str_code | None]

    __table_args__ = (
        Index("ix_followup_events_patient_due", "patient_id", "due"),
        Index(
            "ix_followup_events_covered_by",
            "covered_by",
            sqlite_where=text("covered_by IS NOT NULL"),
            postgresql_where=text("covered_by IS NOT NULL"),
        ),
        # the "to book" worklist: only open events, in window order (a partial index)
        Index(
            "ix_followup_events_open_window",
            "window_start",
            "window_end",
            sqlite_where=text(OPEN_STATES_SQL),
            postgresql_where=text(OPEN_STATES_SQL),
        ),
        # the last completed event of each kind per patient (the overdue list's "last done")
        Index(
            "ix_followup_events_completed",
            "patient_id",
            "kind",
            "closed_on",
            sqlite_where=text("state = 'completed'"),
            postgresql_where=text("state = 'completed'"),
        ),
        # the overdue worklist: unfinished events by the end of their window, covering every
        # column the worklist filters, sorts and shows except the note, so that neither a page's
        # ids nor the whole list (the CLI export, 10^5 rows) reads the table itself
        Index(
            "ix_followup_events_unfinished_window_end",
            *UNFINISHED_INDEX_COLUMNS,
            sqlite_where=text(UNFINISHED_STATES_SQL),
            postgresql_where=text(UNFINISHED_STATES_SQL),
        ),
        # the few events with a note (kept out of the index above: a 2000-character note would
        # not fit in a PostgreSQL index entry)
        Index(
            "ix_followup_events_noted",
            "id",
            sqlite_where=text("note IS NOT NULL"),
            postgresql_where=text("note IS NOT NULL"),
        ),
        # a patient's next booking of a kind, for each row of the overdue list (booked only)
        Index(
            "ix_followup_events_booked",
            "patient_id",
            "kind",
            "booked_at",
            sqlite_where=text(BOOKED_STATE_SQL),
            postgresql_where=text(BOOKED_STATE_SQL),
        ),
        CheckConstraint("window_start <= due AND due <= window_end", name="window"),
    )


class LastCompletion(Base):
    """The latest day each kind of event was completed for a patient (the worklists' "last done").

    Kept by database triggers on ``followup_events`` (migration 0005), whatever writes the events;
    the app only reads it. One row per patient and kind with at least one completion.
    """

    __tablename__ = "last_completions"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str_code] = mapped_column(primary_key=True)
    closed_on: Mapped[date]


class OverdueAcknowledgement(Versioned, Base):
    """A physician looked at one overdue (patient, kind) row and put it aside until a day.

    The row leaves the default overdue view until ``snoozed_until`` or until something changes:
    its oldest overdue event, its number of missed slots or its booking differ from what was
    acknowledged (``oldest_event_id``, ``slots``, ``booking_event_id``).
    """

    __tablename__ = "overdue_acknowledgements"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str_code] = mapped_column(primary_key=True)
    acknowledged_at: Mapped[datetime]
    acknowledged_by: Mapped[str_code]
    snoozed_until: Mapped[date]
    oldest_event_id: Mapped[int] = mapped_column(Integer)
    slots: Mapped[int] = mapped_column(Integer)
    booking_event_id: Mapped[int | None] = mapped_column(Integer)


class AuditEntry(Base):
    """Append-only: database triggers refuse UPDATE and DELETE on this table; on PostgreSQL the
    app's role has no right to them either, on SQLite each row's hash chains to the previous."""

    __tablename__ = "audit_log"

    id: Mapped[int_pk]
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    username: Mapped[str_code]
    action: Mapped[str_code]  # insert, update, delete, or a named action (sign_in, demo, ...)
    entity: Mapped[str_code]
    entity_id: Mapped[int | None]
    #: JSON {"field": [old, new], ...}
    changes: Mapped[str] = mapped_column(Text)
    #: SQLite: sha256 chained to the previous row (``store.audit.chain_hash``); PostgreSQL: null
    row_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


def open_event_condition() -> TextClause:
    """``state IN ('planned', 'missed')`` on follow-up events, as the partial index has it."""
    return text(f"{FollowUpEvent.__tablename__}.{OPEN_STATES_SQL}")


def unfinished_event_condition() -> TextClause:
    """Events that can be overdue, written as the partial index has it."""
    return text(f"{FollowUpEvent.__tablename__}.{UNFINISHED_STATES_SQL}")


class SideEffect(Versioned, Base):
    """A CTCAE late effect of a patient; its grades over time are ``SideEffectGrade`` rows."""

    __tablename__ = "side_effects"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    term: Mapped[str_name]
    organ_class: Mapped[str_name]
    attribution: Mapped[str_code]
    onset: Mapped[date]
    status: Mapped[str_code] = mapped_column(default="ongoing")  # ongoing, resolved
    resolved_on: Mapped[date | None]
    management: Mapped[str_text | None]

    grades: Mapped[list[SideEffectGrade]] = relationship(
        back_populates="side_effect",
        cascade="all, delete-orphan",
        order_by="(SideEffectGrade.graded_on, SideEffectGrade.id)",
    )

    __table_args__ = (
        CheckConstraint("status IN ('ongoing', 'resolved')", name="status"),
        CheckConstraint("status = 'ongoing' OR resolved_on IS NOT NULL", name="resolved_on"),
    )


class SideEffectGrade(Versioned, Base):
    __tablename__ = "side_effect_grades"

    id: Mapped[int_pk]
    side_effect_id: Mapped[int] = mapped_column(
        ForeignKey("side_effects.id", ondelete="CASCADE"), index=True
    )
    graded_on: Mapped[date]
    grade: Mapped[int] = mapped_column(Integer)

    side_effect: Mapped[SideEffect] = relationship(back_populates="grades")

    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 5", name="grade"),)


class RehabPlan(Versioned, Base):
    """Rehabilitation after an amputation (or limb-sparing surgery); one plan per patient."""

    __tablename__ = "rehab_plans"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str_code]  # amputation, limb_sparing
    level: Mapped[str_code | None]
    side: Mapped[str_code | None]
    k_level: Mapped[str_code | None]
    k_level_on: Mapped[date | None]
    operated_on: Mapped[date | None]  # the operation the plan follows
    started_on: Mapped[date | None]  # the day the plan was started (targets before it had passed)


class RehabMilestone(Versioned, Base):
    __tablename__ = "rehab_milestones"

    id: Mapped[int_pk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("rehab_plans.id", ondelete="CASCADE"))
    code: Mapped[str_code]
    target: Mapped[date | None]
    achieved_on: Mapped[date | None]

    __table_args__ = (UniqueConstraint("plan_id", "code"),)


class RehabEntry(Versioned, Base):
    """One dated rehab record: a therapy session, an outcome measure, a pain score or a referral."""

    __tablename__ = "rehab_entries"

    id: Mapped[int_pk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("rehab_plans.id", ondelete="CASCADE"))
    entry: Mapped[str_code]  # session, measure, pain, referral
    on: Mapped[date]
    code: Mapped[str_code]  # discipline PT/OT, measure code, pain kind, referral kind
    value: Mapped[float | None] = mapped_column(Float)  # minutes, measure value, pain score
    who: Mapped[str_name | None]  # therapist
    notes: Mapped[str_text | None]

    __table_args__ = (
        Index("ix_rehab_entries_plan_entry_on", "plan_id", "entry", "on"),
        CheckConstraint("entry IN ('session', 'measure', 'pain', 'referral')", name="entry"),
    )


class CalendarExport(Base):
    """What a patient's calendar file last said about one appointment.

    A later export withdraws an appointment that is no longer booked (cancelled, superseded, missed,
    reopened) with STATUS:CANCELLED and a higher SEQUENCE, and keeps doing so in every later file.
    ``event_id`` has no foreign key: the row outlives an event that regeneration deletes.
    """

    __tablename__ = "calendar_exports"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str_code]
    starts_utc: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # naive UTC
    location: Mapped[str_name | None]
    sequence: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class Visit(Versioned, Base):
    """A follow-up encounter; its after-visit summary is printed from this and the record."""

    __tablename__ = "visits"

    id: Mapped[int_pk]
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    visit_date: Mapped[date]
    clinician: Mapped[str_name]
    location: Mapped[str_name | None]
    reason: Mapped[str_text | None]
    findings: Mapped[str_text | None]
    results_reviewed: Mapped[str_text | None]
    rehab_status: Mapped[str_text | None]
    plan: Mapped[str_text | None]
    instructions: Mapped[str_text | None]


class ClinicSettingsRow(Versioned, Base):
    """The clinic-wide settings: one row (id 1), edited by an administrator, audited per column.

    NULL is a setting that is not set. ``emergency_sentences`` is JSON ``{"en": "...", ...}``;
    ``closure_days`` is sorted ISO dates separated by commas.
    """

    __tablename__ = "clinic_settings"

    id: Mapped[int_pk]
    name: Mapped[str_name | None]
    address: Mapped[str_text | None]
    phone: Mapped[str_code | None]
    after_hours_phone: Mapped[str_code | None]
    email: Mapped[str_name | None]
    emergency_sentences: Mapped[str | None] = mapped_column(Text)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str_code | None]
    holidays_country: Mapped[str_code | None]
    holidays_region: Mapped[str_code | None]
    closure_days: Mapped[str | None] = mapped_column(Text)
    default_protocol_set: Mapped[str_name | None]
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    backups_kept: Mapped[int] = mapped_column(Integer, default=7)

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("idle_lock_minutes BETWEEN 1 AND 240", name="idle_lock_minutes"),
        CheckConstraint("backups_kept BETWEEN 1 AND 365", name="backups_kept"),
    )
