"""Protocol files, their loader and validator, the schedule generator and the clinic calendar.

Pure Python: no Qt, no database, no clock. "Today" and the clinic calendar are always passed in.
"""
