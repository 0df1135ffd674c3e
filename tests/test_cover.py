"""Cover art: configured images are checked; a missing one is drawn from the title."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gutaudio.cover import generate_cover, load_cover
from gutaudio.errors import ConfigError


def _image(path: Path, size: tuple[int, int], fmt: str, mode: str = "RGB") -> Path:
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(path, format=fmt)
    return path


def test_generated_cover_is_a_3000px_rgb_jpeg_with_a_small_embedded_copy() -> None:
    cover = generate_cover("Gut Health, Read Aloud & <More>", "Editors")
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (3000, 3000), "RGB")
        # The title is drawn: the picture is not one flat colour.
        assert len(image.getcolors(maxcolors=1_000_000) or []) > 2
    with Image.open(io.BytesIO(cover.embedded_jpeg)) as small:
        assert (small.format, small.size) == ("JPEG", (600, 600))
    assert cover.mime == "image/jpeg" and cover.extension == ".jpg"


def _ink_box(cover_data: bytes) -> tuple[int, int, int, int]:
    """Left, top, right and bottom of everything drawn on the generated cover's navy background."""
    with Image.open(io.BytesIO(cover_data)) as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    ink = np.abs(pixels - np.array((16, 42, 67))).max(axis=2) > 60  # JPEG noise stays far below 60
    rows, columns = np.nonzero(ink)
    return int(columns.min()), int(rows.min()), int(columns.max()), int(rows.max())


def test_a_long_title_in_wide_capitals_is_drawn_inside_the_margins() -> None:
    # At the first type size tried (360 px), "MAMMOGRAMS, MENOPAUSE" runs to x = 2971: the type
    # must shrink until every line fits between the 260 px margins.
    left, top, right, bottom = _ink_box(generate_cover(
        "WOMEN'S HEALTH: MAMMOGRAMS, MENOPAUSE AND MIGRAINE", "Editors").data)
    assert left >= 250 and right <= 2750, (left, right)
    assert top >= 250 and bottom <= 2750, (top, bottom)
    assert right - left > 1500  # drawn large, not shrunk to nothing
    # Two hundred words are cut to six lines of the smallest type, still inside the side margins.
    left, _, right, _ = _ink_box(generate_cover("A " * 200, "Editors").data)
    assert left >= 250 and right <= 2750, (left, right)


def test_configured_png_keeps_its_type(tmp_path: Path) -> None:
    cover = load_cover(_image(tmp_path / "c.png", (1400, 1400), "PNG"))
    assert (cover.mime, cover.extension) == ("image/png", ".png")
    assert Image.open(io.BytesIO(cover.embedded_jpeg)).format == "JPEG"


@pytest.mark.parametrize(
    ("size", "fmt", "mode", "message"),
    [
        ((1400, 1500), "PNG", "RGB", "cover is 1400x1500; it must be square, 1400 to 3000 px"),
        ((1000, 1000), "JPEG", "RGB", "cover is 1000x1000; it must be square, 1400 to 3000 px"),
        ((3001, 3001), "PNG", "RGB", "cover is 3001x3001; it must be square, 1400 to 3000 px"),
        ((1400, 1400), "GIF", "P", "cover must be JPEG or PNG, not GIF"),
        ((1400, 1400), "JPEG", "CMYK", "cover must use RGB colour, not CMYK"),
        ((1400, 1400), "PNG", "L", "cover must use RGB colour, not L"),
    ],
)
def test_bad_covers_are_named_with_the_reason(tmp_path: Path, size: tuple[int, int], fmt: str,
                                             mode: str, message: str) -> None:
    path = _image(tmp_path / "cover.img", size, fmt, mode)
    with pytest.raises(ConfigError) as error:
        load_cover(path)
    assert str(error.value) == f"{path}: {message}"


def test_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"
    path.write_text("not an image")
    with pytest.raises(ConfigError, match=r"cover\.jpg: cover is not a readable image"):
        load_cover(path)
