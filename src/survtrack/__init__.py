"""SurvTrack: follow-up surveillance calendars for soft tissue sarcoma clinics.

The version is written once, in pyproject.toml; an installed wheel, an editable install and the
frozen bundle (which ships the package metadata) all read it from there.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("survtrack")
except PackageNotFoundError:  # a bare source tree on sys.path, never installed
    __version__ = "0+unknown"
