"""PySide6 windows, table models, dialogs and background workers: the only layer with Qt."""
