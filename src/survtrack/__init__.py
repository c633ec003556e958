"""SurvTrack: follow-up surveillance calendars for soft tissue sarcoma clinics."""

__version__ = "0.1.0"
