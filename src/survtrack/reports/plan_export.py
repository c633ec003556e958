"""A plan as CSV or iCalendar text (``survtrack plan --format csv/ics``).

The iCalendar form is for a scheduler's own calendar: all-day events on the suggested date, text
that names the kind of appointment and its booking window, never the diagnosis or the rule (a rule
id such as "desmoid-..." names the disease). UIDs come from a per-patient random key
(``event_uid``), so two patients' files never share one and the same patient's file keeps them.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from survtrack.domain.events import EventKind
from survtrack.protocols.generator import Plan
from survtrack.reports.appointment_export import event_uid

CSV_COLUMNS = (
    "kind",
    "due",
    "window_start",
    "window_end",
    "suggested",
    "episode",
    "rule",
    "source",
)


def plan_to_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in plan.events:
        row = event.as_dict()
        writer.writerow([row[column] for column in CSV_COLUMNS])
    return out.getvalue()


def plan_to_ics(plan: Plan, key_hex: str, stamp: datetime | None = None) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//SurvTrack//Follow-up plan//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    for event in plan.events:
        name = f"plan|{event.episode}|{event.kind}|{event.due.isoformat()}"
        vevent = Event()
        vevent.add("uid", event_uid(key_hex, name))
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.suggested)
        vevent.add("dtend", event.suggested + timedelta(days=1))
        vevent.add("summary", EventKind(event.kind).label)
        vevent.add(
            "description",
            f"To book between {event.window_start.isoformat()} and {event.window_end.isoformat()}.",
        )
        vevent.add("transp", "TRANSPARENT")
        calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")
