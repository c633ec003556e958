"""The one overdue rule, shared by the calendar, the worklists and the overdue review."""

from __future__ import annotations

from datetime import date

import pytest

from survtrack.domain.events import is_overdue, states_sql

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("state", "overdue"),
    [
        ("planned", True),
        ("missed", True),
        ("booked", True),
        ("cancelled", True),
        ("completed", False),
        ("waived", False),
        ("superseded", False),
    ],
)
def test_overdue_once_the_window_has_ended_unless_done_or_waived(state: str, overdue: bool) -> None:
    assert is_overdue(state, date(2026, 11, 22), TODAY) is overdue
    assert not is_overdue(state, TODAY, TODAY)  # the window ends today: not yet


def test_states_sql_matches_the_partial_index_text() -> None:
    assert states_sql(("planned", "missed")) == "state IN ('planned', 'missed')"
