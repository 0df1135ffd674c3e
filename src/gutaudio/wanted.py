"""What each audio file of an article must be in this build, decided before any audio exists:
the fingerprints of its audio and of its tags (which the planner compares with the last build's)
and the tags themselves, for the chapter MP3s and the episode."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from . import __version__
from .chapter import Chapter
from .config import AudioSettings, Settings
from .cover import Cover
from .edition import Plan, article_author, publication_date
from .layout import CHAPTERS_DIR, EPISODE_M4B, EPISODE_MP3
from .manifest import MANIFEST_VERSION
from .planner import WantedArticle, WantedChapter, fingerprint
from .synthesis import Synthesizer
from .tags import TrackTags

AUDIO_FINGERPRINT_SETTINGS = ("sample_rate", "bitrate_kbps", "channels", "lead_in_ms", "tail_ms",
                              "loudness_lufs", "true_peak_dbtp")
"""The audio settings a chapter's file depends on."""


def audio_fingerprint_settings(audio: AudioSettings) -> dict[str, object]:
    """The audio settings a chapter's file depends on, by name."""
    return {key: getattr(audio, key) for key in AUDIO_FINGERPRINT_SETTINGS}


def codec_fingerprint(audio: AudioSettings) -> str:
    """What the encoder's loudness shift depends on."""
    return fingerprint({"audio": audio_fingerprint_settings(audio), "version": __version__})


def voice_fingerprint(audio: AudioSettings, voice_identity: str) -> str:
    """What the limiter's share of the gain depends on: the voice and the audio settings."""
    return fingerprint({"audio": audio_fingerprint_settings(audio), "voice": voice_identity,
                        "version": __version__})


@dataclass(frozen=True)
class ArticleTags:
    """The tags of an article's chapter MP3s (in order) and of its episode (without chapter marks)."""

    chapters: tuple[TrackTags, ...]
    episode: TrackTags
    date: dt.date


class WantedFiles:
    """Works out what each audio file of an article must be: its fingerprints (for the planner) and tags."""

    def __init__(self, settings: Settings, synthesizer: Synthesizer, cover: Cover) -> None:
        self.settings = settings
        self.synthesizer = synthesizer
        self.cover = cover
        self.voice_fingerprint = voice_fingerprint(settings.audio, synthesizer.identity)
        self._audio = audio_fingerprint_settings(settings.audio)
        self._tags: dict[str, ArticleTags] = {}

    def wanted(self, plan: Plan) -> WantedArticle:
        """What every audio file of the article must be: its fingerprints, for the planner."""
        tags = self._tags[plan.folder] = self._article_tags(plan)
        chapters = tuple(
            WantedChapter(chapter, f"{plan.folder}/{CHAPTERS_DIR}/{chapter.filename}",
                          self._chapter_audio_fingerprint(chapter), self._tags_fingerprint(chapter_tags))
            for chapter, chapter_tags in zip(plan.chapters, tags.chapters, strict=True))
        return WantedArticle(
            folder=plan.folder, chapters=chapters, episode_file=f"{plan.folder}/{EPISODE_MP3}",
            episode_audio_fingerprint=fingerprint({"chapters": [c.audio_fingerprint for c in chapters],
                                                   "m4b": self.settings.audio.m4b,
                                                   **self._m4b_metadata(plan, tags)}),
            # The marks are the chapters' (whose audio the episode's fingerprint covers) and titles.
            episode_tags_fingerprint=self._tags_fingerprint(
                replace(tags.episode, chapters=tuple((0.0, 0.0, c.title) for c in plan.chapters))),
            m4b_file=f"{plan.folder}/{EPISODE_M4B}" if self.settings.audio.m4b else None,
        )

    def _m4b_metadata(self, plan: Plan, tags: ArticleTags) -> dict[str, object]:
        """What the M4B's own metadata says, when there is one: the M4B is encoded with it, not
        tagged again, so a change makes the episode again."""
        if not self.settings.audio.m4b:
            return {}
        return {"m4b_metadata": [tags.episode.title, tags.episode.artist, tags.date.isoformat(),
                                 tags.episode.comment, [c.title for c in plan.chapters],
                                 hashlib.sha256(self.cover.data).hexdigest()]}

    def tags(self, plan: Plan) -> ArticleTags:
        """The tags worked out for the article's files by wanted()."""
        return self._tags[plan.folder]

    def _chapter_audio_fingerprint(self, chapter: Chapter) -> str:
        return fingerprint({
            "version": __version__, "manifest": MANIFEST_VERSION, "audio": self._audio,
            "clips": [self.synthesizer.key(u.spoken) for u in chapter.utterances],
            "pauses": [u.pause_after_ms for u in chapter.utterances],
        })

    def _tags_fingerprint(self, tags: TrackTags) -> str:
        return fingerprint({"tags": repr(tags), "version": __version__,
                            "cover": hashlib.sha256(self.cover.data).hexdigest()})

    def _article_tags(self, plan: Plan) -> ArticleTags:
        date = publication_date(self.settings, plan.article, warn=True)  # said once per article
        total = len(plan.chapters)
        chapters = tuple(self._track_tags(plan, c.title, c.index, total, c.text, date)
                         for c in plan.chapters)
        full_text = "\n\n".join(c.text for c in plan.chapters)
        return ArticleTags(chapters, self._track_tags(plan, plan.article.title, 1, 1, full_text, date),
                           date)

    def _track_tags(self, plan: Plan, title: str, track: int, total: int, text: str,
                    date: dt.date) -> TrackTags:
        disclaimer = plan.article.disclaimer
        show = self.settings.show
        return TrackTags(
            title=title, artist=article_author(self.settings, plan.article), album=plan.article.title,
            track=track, total=total, genre=show.genre, date=date, language=show.language, text=text,
            comment=disclaimer.body_text if disclaimer else "",
            link=plan.article.metadata.canonical or show.link,
            copyright=show.copyright, cover_jpeg=None,
        )
