"""How gutaudio shows a duration: in whole seconds, cut down (floored) as audio players show them.

A browser's player shows 28.96 s as 0:28; the page, the feed and the summary say the same.
"""

from __future__ import annotations

import math

NOISE = 1e-6
"""Seconds of arithmetic error forgiven before flooring: far below one sample (1/44100 s), so
28.9999999 s (samples / rate gone slightly wrong) counts as 29 s, while 59.999 s stays 59 s, as
a player shows it."""


def whole_seconds(seconds: float) -> int:
    """The whole seconds a player shows for a duration: floored, forgiving float noise."""
    return max(0, math.floor(seconds + NOISE))


def clock(seconds: float) -> str:
    """Format seconds as m:ss or h:mm:ss for people to read."""
    hours, rest = divmod(whole_seconds(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def spoken_length(seconds: float) -> str:
    """Say a duration in words for screen readers, e.g. "2 minutes 8 seconds"."""
    minutes, secs = divmod(whole_seconds(seconds), 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not parts:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)
