"""The frozen executables' entry point: the same ``main`` as the ``survtrack`` command.

Both executables of the bundle start here: SurvTrack (windowed, no console) opens the window;
survtrack-cli (console) runs a command, or opens the window when given none.
"""

import multiprocessing
import sys

from survtrack.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
