"""Writing a file the user asked for, and saying so only when it is really there.

Qt's PDF writers fail silently (an unwritable folder gives no file and no error), so every export
goes through ``checked_write``: it runs the writer and then checks that the file exists, is not
empty and is newer than before; otherwise it raises ``OSError`` and the caller says it failed.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def checked_write(path: Path, write: Callable[[], T]) -> T:
    """``write()``, then make sure ``path`` holds what it wrote (raises ``OSError`` if not)."""
    before = _stamp(path)
    result = write()
    after = _stamp(path)
    if after is None or after[1] == 0 or after == before:
        raise OSError(errno.EIO, "the file was not written", str(path))
    return result
