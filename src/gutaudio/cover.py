"""Cover art: check a configured image, or draw one from the show title with Pillow."""

from __future__ import annotations

import functools
import io
import logging
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from .errors import ConfigError

log = logging.getLogger(__name__)

FEED_SIZE = 3000
"""Generated artwork is 3000x3000, Apple's largest accepted size."""
EMBED_SIZE = 600
"""Artwork embedded in each MP3 is scaled to what players show, to keep files small and builds fast."""
MIN_SIZE, MAX_SIZE = 1400, 3000
ARTWORK_MODES = {"JPEG": ("RGB",), "PNG": ("RGB", "RGBA", "P")}
"""The colour modes podcast artwork may use, by format (Apple asks for RGB); the check holds
a build's artwork to the same rule."""
BACKGROUND = (16, 42, 67)
"""Dark navy; with white text the contrast ratio is about 14:1."""
FOREGROUND = (255, 255, 255)
ACCENT = (255, 209, 102)


@dataclass(frozen=True)
class Cover:
    """Artwork for the feed (full size) and for ID3 APIC frames (scaled JPEG, made when needed)."""

    data: bytes
    mime: str

    @functools.cached_property
    def embedded_jpeg(self) -> bytes:
        """The artwork as a JPEG of at most 600x600, for embedding in every MP3."""
        with Image.open(io.BytesIO(self.data)) as image:
            return _embedded_jpeg(image)

    @property
    def extension(self) -> str:
        """File extension matching the real image type."""
        return ".png" if self.mime == "image/png" else ".jpg"


def load_cover(path: Path) -> Cover:
    """Read and check a configured cover: square, 1400-3000 px, JPEG or PNG."""
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt, size, mode = image.format, image.size, image.mode
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: cover image does not exist") from e
    except (UnidentifiedImageError, OSError) as e:
        raise ConfigError(f"{path}: cover is not a readable image ({e})") from e
    if fmt not in ("JPEG", "PNG"):
        raise ConfigError(f"{path}: cover must be JPEG or PNG, not {fmt}")
    width, height = size
    if width != height or not MIN_SIZE <= width <= MAX_SIZE:
        raise ConfigError(
            f"{path}: cover is {width}x{height}; it must be square, {MIN_SIZE} to {MAX_SIZE} px"
        )
    if mode not in ARTWORK_MODES[fmt]:
        raise ConfigError(f"{path}: cover must use RGB colour, not {mode}")
    return Cover(data, "image/png" if fmt == "PNG" else "image/jpeg")


def readable_jpeg(data: bytes) -> bool:
    """True when data is a JPEG image that opens (a cached cover that was not damaged)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == "JPEG"
    except (UnidentifiedImageError, OSError, SyntaxError):
        return False


def generate_cover(title: str, author: str) -> Cover:
    """Draw a 3000x3000 RGB JPEG with the title in large, high-contrast type."""
    image = Image.new("RGB", (FEED_SIZE, FEED_SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 260
    width = FEED_SIZE - 2 * margin
    size, lines, font = _fit_title(draw, title, width)
    line_height = int(size * 1.15)
    block = line_height * len(lines)
    y = (FEED_SIZE - block) // 2 - 200
    draw.rectangle((margin, y - 160, margin + 420, y - 120), fill=ACCENT)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=FOREGROUND)
        y += line_height
    small = ImageFont.load_default(size=130)
    draw.text((margin, y + 140), author, font=small, fill=ACCENT)
    draw.text((margin, FEED_SIZE - margin - 130), "Narrated edition", font=small,
              fill=FOREGROUND)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, optimize=True)
    return Cover(buffer.getvalue(), "image/jpeg")


def _fit_title(
    draw: ImageDraw.ImageDraw, title: str, width: int
) -> tuple[int, list[str], ImageFont.FreeTypeFont | ImageFont.ImageFont]:
    for size in (360, 300, 250, 210, 170, 140, 110):
        font = ImageFont.load_default(size=size)
        chars = max(4, int(width / (size * 0.55)))
        lines = textwrap.wrap(title, chars, break_long_words=True)[:6]
        if all(draw.textlength(line, font=font) <= width for line in lines):
            return size, lines, font
    return size, lines, font


def _embedded_jpeg(image: Image.Image) -> bytes:
    image.draft("RGB", (EMBED_SIZE, EMBED_SIZE))  # a JPEG decodes straight to near that size
    small = image.convert("RGB")
    if small.width > EMBED_SIZE:
        small = small.resize((EMBED_SIZE, EMBED_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
