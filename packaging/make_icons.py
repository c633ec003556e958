"""Render the application icon: resources/icons/survtrack.svg to PNG sizes and a Windows ICO.

Run after editing the SVG (``python packaging/make_icons.py``); the outputs are committed, so
neither a wheel build nor a PyInstaller build needs this script. The ICO holds one PNG-compressed
image per size (the ICO layout Windows has read since Vista), written here byte by byte because
Qt's ICO writer stores only one image.
"""

from __future__ import annotations

import os
import struct
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from survtrack.resources import resource_dir

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO file: header, one 16-byte directory entry per image, then the PNG data."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    folder = resource_dir("icons")
    renderer = QSvgRenderer(str(folder / "survtrack.svg"))
    if not renderer.isValid():
        print(f"cannot read {folder / 'survtrack.svg'}", file=sys.stderr)
        return 1
    rendered = {size: render(renderer, size) for size in set(PNG_SIZES) | set(ICO_SIZES)}
    for size in PNG_SIZES:
        (folder / f"survtrack-{size}.png").write_bytes(rendered[size])
    (folder / "survtrack.ico").write_bytes(ico({s: rendered[s] for s in ICO_SIZES}))
    print(f"wrote {len(PNG_SIZES)} PNG sizes and survtrack.ico to {folder}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
