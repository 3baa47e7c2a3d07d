"""Read a flyer the way a phone does: render the PDF to PNG (pdftoppm, 150 dpi), find
every QR symbol on each page, measure it, and decode it with zbarimg.

zbarimg alone, given a whole page of eight cards, sometimes misses one symbol (its
finder-pattern grouping gets confused by a grid of look-alike codes); a phone sees one
card at a time. So each symbol found on the page is cropped with its quiet zone and
decoded on its own, and the test requires every one of them to decode."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

DPI = 150
_MERGE_GAP = 18  # px: joins a finder pattern to its symbol (< 1 module of a 7 cm code), not text


@dataclass
class Symbol:
    size_cm: float
    data: str


@dataclass
class Page:
    png: Path
    symbols: list[Symbol]

    @property
    def codes(self) -> list[str]:
        return [s.data for s in self.symbols]

    @property
    def sizes_cm(self) -> list[float]:
        return [s.size_cm for s in self.symbols]


def render(pdf: bytes, workdir: Path) -> list[Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "flyer.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(source), str(workdir / "page")], check=True)
    return sorted(workdir.glob("page-*.png"))


def zbarimg(png: Path) -> list[str]:
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    if result.returncode == 4:  # no symbol found
        return []
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def _merge(boxes: list[list[int]]) -> list[list[int]]:
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if (
                    a[0] - _MERGE_GAP <= b[2]
                    and b[0] - _MERGE_GAP <= a[2]
                    and a[1] - _MERGE_GAP <= b[3]
                    and b[1] - _MERGE_GAP <= a[3]
                ):
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def square_blocks(png: Path) -> list[tuple[int, int, int, int]]:
    """Boxes (top, left, bottom, right) of the square dark blocks wider than 1 cm: QR
    symbols. Text lines are wide and short; cut lines are thin."""
    with Image.open(png) as image:
        pixels = np.asarray(image.convert("L")) < 128
    labels, _n = ndimage.label(ndimage.binary_dilation(pixels, iterations=2))
    boxes = [[f[0].start, f[1].start, f[0].stop, f[1].stop] for f in ndimage.find_objects(labels) if f is not None]
    found = []
    for top, left, bottom, right in _merge(boxes):
        h, w = bottom - top - 4, right - left - 4  # undo the dilation
        if w > DPI / 2.54 and 0.9 <= w / max(h, 1) <= 1.1:
            found.append((top + 2, left + 2, bottom - 2, right - 2))
    return found


def read_page(png: Path) -> Page:
    symbols = []
    for n, (top, left, bottom, right) in enumerate(square_blocks(png)):
        pad = (right - left) // 8  # about the 4-module quiet zone
        path = png.with_name(f"{png.stem}-symbol-{n}.png")
        with Image.open(png) as image:
            image.crop((max(0, left - pad), max(0, top - pad), right + pad, bottom + pad)).save(path)
        decoded = zbarimg(path)
        assert len(decoded) == 1, f"symbol {n} on {png.name} decoded as {decoded}"
        symbols.append(Symbol((right - left) / DPI * 2.54, decoded[0]))
    return Page(png, symbols)


def read_pdf(pdf: bytes, workdir: Path) -> list[Page]:
    return [read_page(png) for png in render(pdf, workdir)]
