"""One rounding for every duration people see: whole seconds, floored, as audio players show them."""

from __future__ import annotations

import pytest

from gutaudio.durations import clock, spoken_length, whole_seconds
from gutaudio.site import _environment


@pytest.mark.parametrize(
    ("seconds", "whole", "shown", "said"),
    [(0.0, 0, "0:00", "0 seconds"),
     (0.4, 0, "0:00", "0 seconds"),
     (0.999, 0, "0:00", "0 seconds"),
     (1.0, 1, "0:01", "1 second"),
     (28.96, 28, "0:28", "28 seconds"),
     (28.5, 28, "0:28", "28 seconds"),
     (28.9999999, 29, "0:29", "29 seconds"),  # float noise in samples / rate, not 28.99 s
     (59.999, 59, "0:59", "59 seconds"),  # a millisecond short is still short, as players say
     (60.0, 60, "1:00", "1 minute"),
     (61.7, 61, "1:01", "1 minute 1 second"),
     (128.9, 128, "2:08", "2 minutes 8 seconds"),
     (3599.99, 3599, "59:59", "59 minutes 59 seconds"),
     (3600.0, 3600, "1:00:00", "60 minutes"),
     (3725.5, 3725, "1:02:05", "62 minutes 5 seconds")],
)
def test_durations_are_floored_whole_seconds(seconds: float, whole: int, shown: str, said: str) -> None:
    assert whole_seconds(seconds) == whole
    assert isinstance(whole_seconds(seconds), int)
    assert clock(seconds) == shown
    assert spoken_length(seconds) == said


def test_float_noise_is_forgiven_but_a_sample_short_is_short() -> None:
    assert sum([0.1] * 10) < 1 and whole_seconds(sum([0.1] * 10)) == 1
    assert sum([0.01] * 5900) < 59 and whole_seconds(sum([0.01] * 5900)) == 59
    assert whole_seconds(29 - 1 / 44100) == 28


def test_the_page_filters_use_the_same_rounding() -> None:
    env = _environment()
    rendered = env.from_string("{{ 28.96 | clock }} / {{ 28.96 | spoken_length }}").render()
    assert rendered == "0:28 / 28 seconds"
