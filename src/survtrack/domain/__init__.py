"""Pure value types and clinical rules: sites, grades, staging, event kinds, case facts.

Nothing here imports Qt or SQLAlchemy; every function is deterministic and clock-free.
"""
