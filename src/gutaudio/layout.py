"""The names of a build's files: where each thing lives in the output tree, in one place.

    output/
      feed.xml  index.html  cover.jpg  build.json
      <article>/index.html  episode.mp3  episode.m4b  episode.vtt|srt|txt  chapters.json
      <article>/<article>.epub
      <article>/chapters/01-<chapter>.mp3|vtt|srt|txt ...
"""

from __future__ import annotations

MANIFEST_NAME = "build.json"
"""What was built, from what: read back by the next build, by check, and by inspect --timings."""
FEED_NAME = "feed.xml"
PAGE_NAME = "index.html"
"""The show's page at the top, and each article's page in its folder."""
CHAPTERS_DIR = "chapters"
EPISODE_MP3 = "episode.mp3"
EPISODE_M4B = "episode.m4b"
CHAPTERS_JSON = "chapters.json"
COVER_NAMES = ("cover.jpg", "cover.png")
"""The show's artwork, by its format."""
EPUB_SUFFIX = ".epub"


def epub_name(folder: str) -> str:
    """An article's EPUB 3 talking book, by path inside the output folder: <article>/<article>.epub."""
    return f"{folder}/{folder}{EPUB_SUFFIX}"
