"""Use cases over the store: sign-in and users, patients and search, demo data, calendars, audit.

The UI and the CLI call these; nothing here imports Qt. Each write is one ``Database.write`` unit.
"""
