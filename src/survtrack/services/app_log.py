"""The log file: rotating, in the data folder, with no patient data at any level.

``configure_logging`` sends records to ``logs/survtrack.log`` in the data folder (1 MB a file,
five old files kept, readable by its user only). ``PatientDataFilter`` on that handler refuses
any record that mentions a patient field (MRN, names, birth date, phone) in its text or in its
extra fields, and the SQL engine's result rows; SQL parameters are already hidden by the engine
(``hide_parameters``). Tracebacks are written by ``safe_traceback``: where the error happened,
never its message (which may carry a value).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from survtrack.services.locations import data_dir

LOG_NAME = "survtrack.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
#: set on a record (``extra={SAFE: True}``) whose text SurvTrack built without any value
SAFE = "survtrack_safe"
PATIENT_FIELDS = re.compile(
    r"(?i)\b(mrn|family[_ ]name|given[_ ]names?|birth[_ ]date|date[_ ]of[_ ]birth|"
    r"search[_ ]key|phone|display[_ ]name|full[_ ]name)\b"
)
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", SAFE}


class PatientDataFilter(logging.Filter):
    """Refuses records that could carry patient data (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SAFE, False):
            return True
        if record.name.startswith("sqlalchemy") and str(record.msg).lstrip().startswith("Row"):
            return False  # the engine's echo of result rows: values, whatever the columns
        extras = set(record.__dict__) - _STANDARD
        if any(PATIENT_FIELDS.search(name) for name in extras):
            return False
        try:
            text = record.getMessage()
        except Exception:
            return False
        if PATIENT_FIELDS.search(text):
            return False
        if record.exc_info and record.exc_info[1] is not None:
            kind, error, tb = record.exc_info
            record.exc_text = safe_traceback(kind, error, tb)
        return True


def safe_traceback(
    kind: type[BaseException] | None,
    error: BaseException | None,
    tb: TracebackType | None,
) -> str:
    """The traceback without the exception's message (the frames: files, lines, functions,
    code); chained causes by type only."""
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(traceback.extract_tb(tb))
    name = f"{kind.__module__}.{kind.__qualname__}" if kind else "unknown error"
    lines.append(f"{name} (message withheld: it may contain patient data)\n")
    cause = error.__cause__ or error.__context__ if error else None
    seen = 0
    while cause is not None and seen < 5:
        lines.append(f"  caused by {type(cause).__module__}.{type(cause).__qualname__}\n")
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return "".join(lines)


def log_path(folder: Path | None = None) -> Path:
    return (folder or data_dir()) / "logs" / LOG_NAME


def configure_logging(folder: Path | None = None, level: int | str | None = None) -> Path:
    """Send the app's log to the rotating file (once per process and file); its path."""
    path = log_path(folder)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, delay=False)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PatientDataFilter())
    if os.name == "posix":
        os.chmod(path, 0o600)
    root.addHandler(handler)
    wanted = level or os.environ.get("SURVTRACK_LOG_LEVEL", "INFO").upper()
    root.setLevel(wanted)
    return path
