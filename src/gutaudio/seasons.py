"""The feed's seasons: every article is a season, and keeps its number from build to build."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .manifest import remembered_seasons


@dataclass(frozen=True)
class Seasons:
    """The feed's seasons: each article's (by folder), the highest ever used, and every folder's
    ever numbered (so an article left out of a build comes back to its own)."""

    of: dict[str, int]
    highest: int
    every: dict[str, int]


def number_seasons(output: Path, folders: Sequence[str]) -> Seasons:
    """Each article's season (its folder's) and the highest season ever used.

    An article keeps the season the published build.json remembers for it, whatever articles
    were added or removed since (and with --force, which keeps no other part of that build);
    a new article gets the next number after the highest ever used, in the order of the build.
    Without a build.json the articles are numbered 1 to n in order.
    """
    remembered, highest = remembered_seasons(output)
    seasons: dict[str, int] = {}
    for folder in folders:
        season = remembered.get(folder)
        if season is None or season in seasons.values():
            highest += 1
            season = highest
        seasons[folder] = season
    return Seasons(seasons, highest, {**remembered, **seasons})
