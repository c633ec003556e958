"""Searching the patient list by MRN or name, paged and sorted in SQL."""

from __future__ import annotations

from datetime import date

from survtrack.services.patient_records import case_from_record, load_patient
from survtrack.services.patient_search import count_patients, search_patients
from survtrack.store.engine import Database
from tests.factories import add_patient


def names(db: Database, text: str) -> list[str]:
    return [row.name for row in search_patients(db, text)]


def test_search_by_name_mrn_and_several_words(db: Database) -> None:
    add_patient(db, "1000123", "Smith", "Anna")
    add_patient(db, "1000456", "Smithers", "Bob")
    add_patient(db, "2000123", "O'Neill", "Grace")
    add_patient(db, "2000999", "García", "José")
    assert names(db, "") == ["García, José", "O'Neill, Grace", "Smith, Anna", "Smithers, Bob"]
    assert names(db, "smith") == ["Smith, Anna", "Smithers, Bob"]
    assert names(db, "SMITH anna") == ["Smith, Anna"]
    assert names(db, "1000") == ["Smith, Anna", "Smithers, Bob"]
    assert names(db, "2000123") == ["O'Neill, Grace"]
    assert names(db, "o'ne") == ["O'Neill, Grace"]
    assert names(db, "garcía") == ["García, José"]
    assert names(db, "%") == [] and names(db, "_") == []
    assert count_patients(db, "smith") == 2 and count_patients(db) == 4


def test_pages_continue_where_the_last_stopped(db: Database) -> None:
    for index in range(25):
        add_patient(db, f"M{index:03d}", f"Family{index:02d}", "Given")
    first = search_patients(db, "family", 0, 10)
    second = search_patients(db, "family", 10, 10)
    third = search_patients(db, "family", 20, 10)
    assert len(first) == 10 and len(second) == 10 and len(third) == 5
    assert len({r.id for r in first + second + third}) == 25
    assert first[0].name == "Family00, Given" and third[-1].name == "Family24, Given"


def test_list_row_shows_site_and_stage_of_the_first_tumour(db: Database) -> None:
    add_patient(db, "M1", "Lee", "Kim", site="retroperitoneum", stage="IB")
    row = search_patients(db, "lee")[0]
    assert (row.site, row.stage, row.status) == ("retroperitoneum", "IB", "active")


def test_record_loads_and_becomes_a_case(db: Database) -> None:
    patient_id = add_patient(db, "M1", "Lee", "Kim", birth=date(1950, 5, 6))
    record = load_patient(db, patient_id)
    assert record is not None and record.birth_date == date(1950, 5, 6)
    case = case_from_record(record)
    assert case is not None
    assert case.tumour.site.value == "extremity" and case.treatments[0].procedure == "limb_sparing"
