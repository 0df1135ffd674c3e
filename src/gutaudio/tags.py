"""ID3 tags with mutagen: what a player, a car stereo or a screen reader shows for each file."""

from __future__ import annotations

import datetime as dt
import logging
import struct
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TCOP,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPE2,
    TRCK,
    TSSE,
    USLT,
    WOAS,
    CTOCFlags,
    PictureType,
)

from . import __version__
from .errors import OutputError

log = logging.getLogger(__name__)

ID3_VERSION = 3
"""ID3v2.3: the version the most players, phones and car stereos read."""

# ISO 639-1 -> ISO 639-2/B codes used by TLAN, COMM and USLT.
_ISO_639_2 = {
    "en": "eng", "es": "spa", "fr": "fre", "de": "ger", "it": "ita", "pt": "por", "nl": "dut",
    "sv": "swe", "da": "dan", "no": "nor", "nb": "nob", "fi": "fin", "pl": "pol", "cs": "cze",
    "ru": "rus", "uk": "ukr", "el": "gre", "tr": "tur", "ar": "ara", "he": "heb", "hi": "hin",
    "ja": "jpn", "ko": "kor", "zh": "chi", "vi": "vie", "id": "ind", "ro": "rum", "hu": "hun",
}


def id3_language(code: str) -> str:
    """Map a feed language such as en-us to the three-letter ID3 code (eng); und if unknown."""
    base = code.split("-")[0].lower()
    return base if len(base) == 3 else _ISO_639_2.get(base, "und")


@dataclass(frozen=True)
class TrackTags:
    """Everything written into one file's ID3 tag."""

    title: str
    artist: str
    album: str
    track: int
    total: int
    genre: str
    date: dt.date
    language: str
    text: str
    """Full author text of the chapter (USLT), for players that show lyrics."""
    comment: str = ""
    """The medical disclaimer (COMM)."""
    link: str = ""
    copyright: str = ""
    cover_jpeg: bytes | None = None
    chapters: tuple[tuple[float, float, str], ...] = ()
    """(start, end, title) in seconds for a file holding several chapters: CTOC and CHAP frames."""


def write_tags(path: Path, tags: TrackTags) -> None:
    """Replace the ID3 tag of an MP3 file with tags, saved as ID3v2.3."""
    lang = id3_language(tags.language)
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TPE2(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TRCK(encoding=3, text=f"{tags.track}/{tags.total}"))
    id3.add(TCON(encoding=3, text=tags.genre))
    id3.add(TDRC(encoding=3, text=tags.date.isoformat()))
    id3.add(TLAN(encoding=3, text=lang))
    id3.add(TSSE(encoding=3, text=f"gutaudio {__version__}"))
    id3.add(USLT(encoding=3, lang=lang, desc="", text=tags.text))
    if tags.comment:
        id3.add(COMM(encoding=3, lang=lang, desc="Disclaimer", text=tags.comment))
    if tags.link:
        id3.add(WOAS(url=tags.link))
    if tags.copyright:
        id3.add(TCOP(encoding=3, text=tags.copyright))
    if tags.cover_jpeg:
        id3.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT,
                     desc="Cover", data=tags.cover_jpeg))
    add_chapter_frames(id3, tags.chapters)
    id3.update_to_v23()  # TDRC -> TYER (and TDAT): save() alone keeps v2.4-only frames
    try:
        id3.save(path, v2_version=ID3_VERSION, v1=0)
        order_chapter_frames(path)
    except (MutagenError, OSError) as e:
        raise OutputError(f"{path}: cannot write ID3 tags: {e}") from e


_UNUSED_OFFSET = 0xFFFFFFFF
"""CHAP byte offsets are unused; the addendum says so with all bits set."""


def add_chapter_frames(id3: ID3, chapters: tuple[tuple[float, float, str], ...]) -> None:
    """Add one top-level, ordered CTOC and one CHAP (with a TIT2 title) per chapter."""
    if not chapters:
        return
    ids = [f"chp{number}" for number in range(1, len(chapters) + 1)]
    id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                 child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))
    for element_id, (start, end, title) in zip(ids, chapters, strict=True):
        id3.add(CHAP(element_id=element_id, start_time=round(start * 1000),
                     end_time=round(end * 1000), start_offset=_UNUSED_OFFSET,
                     end_offset=_UNUSED_OFFSET, sub_frames=[TIT2(encoding=3, text=title)]))


_CHAPTER_FRAMES = (b"CTOC", b"CHAP")
_FRAME_HEADER = 10
_TAG_UNSYNCHRONISED_OR_EXTENDED = 0xC0


def order_chapter_frames(path: Path) -> None:
    """Put the CTOC and then the CHAP frames in start-time order inside the file's ID3v2 tag.

    mutagen saves frames sorted by their size (quodlibet/mutagen#506), which scrambles the
    chapters of players that read CHAP frames in file order. The frames are only moved, so
    the tag keeps its size and is rewritten in place.
    """
    with path.open("r+b") as stream:
        header = stream.read(_FRAME_HEADER)
        if header[:3] != b"ID3" or header[5] & _TAG_UNSYNCHRONISED_OR_EXTENDED:
            return
        frames = _split_frames(stream.read(_syncsafe(header[6:10])), version=header[3])
        ordered = _chapters_in_time_order(frames)
        if ordered != frames:
            stream.seek(_FRAME_HEADER)
            stream.write(b"".join(ordered))


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _split_frames(body: bytes, version: int) -> list[bytes]:
    """Cut a tag body into whole frames (header and data), leaving out the padding."""
    frames: list[bytes] = []
    offset = 0
    while offset + _FRAME_HEADER <= len(body) and body[offset] != 0:
        raw = body[offset + 4:offset + 8]
        size = _syncsafe(raw) if version == 4 else int.from_bytes(raw, "big")
        end = offset + _FRAME_HEADER + size
        if end > len(body):
            raise OutputError("an ID3 frame runs past the end of its tag")
        frames.append(body[offset:end])
        offset = end
    return frames


def _chapters_in_time_order(frames: list[bytes]) -> list[bytes]:
    """The frames with the chapter ones together where the first was: CTOC, then CHAP by time."""
    places = [i for i, frame in enumerate(frames) if frame[:4] in _CHAPTER_FRAMES]
    if not places:
        return frames
    others = [frame for frame in frames if frame[:4] not in _CHAPTER_FRAMES]
    chapters = sorted((frames[i] for i in places), key=_chapter_order)
    return others[:places[0]] + chapters + others[places[0]:]


def _chapter_order(frame: bytes) -> tuple[int, int, int]:
    """CTOC frames first, then CHAP frames by start and end time (milliseconds)."""
    if frame[:4] == b"CTOC":
        return (0, 0, 0)
    data = frame[_FRAME_HEADER:]
    times = data.index(b"\0") + 1  # after the null-terminated element id
    start, end = struct.unpack(">LL", data[times:times + 8])
    return (1, start, end)
