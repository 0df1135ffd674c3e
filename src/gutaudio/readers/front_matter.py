"""YAML front matter (--- ... ---) and the article metadata it may give."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..dates import parse_date
from ..document import Metadata
from ..errors import ContentError
from .boilerplate import split_authors

log = logging.getLogger(__name__)

# front matter key -> Metadata field; several spellings publishers use.
FRONT_MATTER_KEYS = {
    "title": "title", "subtitle": "subtitle", "author": "authors", "authors": "authors",
    "date": "date", "published": "date", "updated": "updated", "modified": "updated",
    "lastmod": "updated", "description": "description", "summary": "description",
    "excerpt": "description", "language": "language", "lang": "language", "image": "image",
    "cover": "image", "tags": "tags", "keywords": "tags", "categories": "tags",
    "canonical": "canonical", "canonical_url": "canonical", "url": "canonical",
    "disclaimer": "disclaimer",
}


def split_front_matter(text: str, source: Path) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body; ({}, text) when there is none."""
    if not text.lstrip("\n").startswith("---"):
        return {}, text
    import frontmatter  # loaded only for an article that has front matter
    # python-frontmatter itself silently drops front matter that is not a mapping (and the
    # author's words in it), so split and load with its YAML handler here.
    handler = frontmatter.YAMLHandler()
    parts = handler.FM_BOUNDARY.split(text.strip(), 2)
    if len(parts) != 3 or parts[0].strip():
        return {}, text
    return load_front_matter(parts[1], source), parts[2]


def load_front_matter(yaml_text: str, source: Path) -> dict[str, Any]:
    """Parse front matter YAML into a mapping, or a one-line ContentError naming the file."""
    import yaml  # loaded only for an article that has front matter

    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ContentError(f"{source}: front matter is not valid YAML{where}") from e
    except ValueError as e:  # YAML's own dates: "date: 2020-13-45"
        raise ContentError(f"{source}: front matter has a value YAML cannot read ({e})") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(f"{source}: front matter must be a set of 'key: value' lines")
    return dict(data)


def metadata_from(data: Mapping[str, Any], source: Path) -> Metadata:
    """The Metadata front matter gives; unknown keys are named in a warning."""
    unused = [str(key) for key in data if str(key).lower() not in FRONT_MATTER_KEYS]
    if unused:
        log.warning("%s: front matter %s not used and not spoken (known: %s)", source,
                    ", ".join(f"'{key}'" for key in unused) + (" is" if len(unused) == 1 else " are"),
                    ", ".join(sorted(set(FRONT_MATTER_KEYS))))
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = FRONT_MATTER_KEYS.get(str(key).lower())
        if name is None or value in (None, "") or name in values:
            continue
        if name in ("date", "updated"):
            values[name] = as_date(value, source, str(key))
        elif name == "authors":
            values[name] = _names(value)
        elif name == "tags":
            values[name] = tuple(str(v).strip() for v in (value if isinstance(value, list) else
                                                          str(value).split(",")) if str(v).strip())
        else:
            values[name] = " ".join(str(value).split())
    return Metadata(**values)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(" ".join(str(v.get("name", "") if isinstance(v, dict) else v).split())
                     for v in value if v)
    if isinstance(value, dict):
        return (" ".join(str(value.get("name", "")).split()),)
    return tuple(split_authors(str(value)))


def as_date(value: Any, source: Path, key: str = "date") -> dt.date:
    """A front matter date as a date, or a one-line ContentError naming the file and key.

    YAML gives dates, datetimes, texts and numbers (20260303); each is read as dates.parse_date reads it.
    """
    parsed = parse_date(value if isinstance(value, dt.date | str) else str(value))
    if parsed is None:
        raise ContentError(f"{source}: front matter {key} {value!r} is not a date such as 2026-03-03")
    return parsed
