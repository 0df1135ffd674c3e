"""Recognise a medical, health or informational disclaimer in plain text, in any common phrasing.

Pure functions on strings: no I/O and nothing from the rest of gutaudio.

How a paragraph is scored
-------------------------
The text is first folded (NFKC, typographic quotes and dashes to ASCII, soft hyphens and
zero-width characters removed, runs of white space collapsed, lower case). Then each cue of a fixed
vocabulary of precompiled patterns is looked for; a cue counts once however often it occurs.

* **Strong cues** (weight 3) are phrasings that only a disclaimer uses: "not a substitute for
  professional medical advice", "does not replace the advice of your doctor", "for informational /
  educational purposes", "general information only", "not (intended as) medical advice", "nothing on
  this site constitutes medical advice", "not intended to diagnose, treat, cure or prevent", "not been
  evaluated by the FDA", "does not create a doctor-patient relationship", "we are not doctors", "the
  author has no medical training", "never disregard professional medical advice ... because of
  something you have read", "we do not recommend or endorse any", "use of this information is at your
  own risk", "no warranty", "makes no representations", "we accept no liability", "we are not
  responsible", "not responsible for any errors / harm", and a leading "Disclaimer:" label. One strong
  cue is enough, whatever the paragraph's length.
* **Medium cues** (weight 2) lean towards a disclaimer but also occur in ordinary writing: the word
  "disclaimer" inside a sentence, "results may vary", "at your own risk", "if you think you may have a
  medical emergency", "anything you read here", "do not rely on this information", "we cannot
  guarantee the accuracy", "does not endorse", "the views expressed are the author's", "any questions
  you may have regarding a medical condition".
* **Weak cues** (weight 1) are the ordinary advice a disclaimer is usually built from: "consult your
  doctor", "before starting / making changes", "call 911", "any new diet or exercise programme",
  "general information", "the information on this site", "your individual circumstances", "your
  physician or other qualified health provider", "not responsible for", "may not be suitable".

A paragraph is a disclaimer when it has a strong cue, or when it has a medium cue and its cues add
up to at least ``THRESHOLD`` (3) *and* it is short for that score: at most ``WORDS_PER_POINT`` (20)
words per point. Weak cues alone (ordinary advice such as "talk to your doctor before starting a new
exercise program") never make one, however many. So "Individual results may vary; speak with your
doctor before making changes to your diet." (14 words, 4 points) is one, while "Talk to your
doctor before starting any new supplement." (2 points) and a 140-word paragraph on fibre that says
"results vary" and "speak to your GP before making big changes" (4 points, more than 80 words) are
not.

The recogniser leans towards "no": a paragraph wrongly taken for the disclaimer would let an article
without one ship silently (and keep the show's default from standing in), while a disclaimer that is
missed stops the build with a clear error, or is replaced by the show's default.

Speed
-----
The patterns are built from words and bounded gaps (``[^.!?]{0,n}``, a few dozen characters at
most) with no nested unbounded repetition, so each search is linear in the text's length. Each cue
also names gate words, one of which every match contains; a cue whose gate words are all absent is
skipped after a plain substring test. Patterns start with a literal letter (see ``_words``) so the
regex engine can skip ahead. 100 KB of text is classified in well under a tenth of a second.

Headings (``is_disclaimer_heading``)
------------------------------------
A heading is a disclaimer heading when it is the word "disclaimer(s)" with only qualifying words
around it ("Medical Disclaimer", "Legal & Medical Disclaimer", "Disclaimer and Disclosures"), or
one of a few headings about medical advice itself: "Not medical advice", "A note on medical
advice", "Medical advice notice". A note *on* medical advice is an aside about the article's own
status, which is where publishers put the disclaimer, so it is accepted; "When to seek medical
advice", "Medical advice" alone, "Disclosure" (affiliate links) and "Is there a disclaimer on
supplements?" are article sections and are not. Leading "#", "**" and a section number ("7.")
are ignored; a title longer than ``MAX_HEADING_CHARS`` is a sentence, not a heading.

Labels (``disclaimer_label``)
-----------------------------
A label is "disclaimer(s)", optionally after qualifying words ("Medical", "Health", "Legal &
Medical", "Important") and inside Markdown emphasis, followed by a separator: a colon, a full stop,
a bar or a dash ("Disclaimer:", "MEDICAL DISCLAIMER -", "Health disclaimer \u2014", "**Disclaimer:**",
"Disclaimer."). Without a separator ("Disclaimers apply to ...", "Disclaimer-free") there is no
label, and "Important:", "Note:" or "Disclosure:" are never disclaimer labels. A paragraph with a
label is a disclaimer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

STRONG = 3
"""Weight of a cue that alone makes a paragraph a disclaimer."""
MEDIUM = 2
"""Weight of a cue that needs one more cue of any kind."""
WEAK = 1
"""Weight of ordinary advice that counts only together with other cues."""
THRESHOLD = 3
"""The score a paragraph needs; a strong cue reaches it alone."""
WORDS_PER_POINT = 20
"""Length guard: without a strong cue, a paragraph may have at most this many words per point."""
MAX_HEADING_CHARS = 80
"""A longer title is a sentence, not a disclaimer heading."""

# Typographic quotes and dashes to ASCII; soft hyphens, zero-width and bidi marks removed.
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"),
    }
)
_SPACE = re.compile(r"\s+")

# ---- building blocks of the patterns (plain strings, compiled into the cues below) ----
# The cue patterns are matched against lower-cased text, so they are written in lower case.


def _words(*words: str) -> str:
    r"""The alternation ``\b(?:w1|w2|...)`` (without the group), each branch led by its literal first letter.

    The word boundary is checked by a look-behind just after that letter, which lets the regex engine
    skip ahead to the letters that can start a match instead of trying every position of the text.
    """
    return "|".join(rf"{word[0]}(?<!\w{word[0]}){word[1:]}" if word[0].isalpha() else rf"\b{word}"
                    for word in words)


def _lead(*words: str) -> str:
    """``_words`` in a group, to lead a pattern."""
    return f"(?:{_words(*words)})"


_NOT = rf"(?:{_words('not', 'never', 'nor', 'cannot')}|n't)\b"
_NOT_NO = rf"(?:{_words('not', 'never', 'nor', 'cannot', 'no', 'nothing')}|n't)\b"
_NOT_ONLY = rf"(?:{_words('not')}|n't)\b"
_GAP = r"[^.!?]{0,%d}?"  # a bounded stretch inside one sentence: _GAP % 40
_HC = r"health[- ]?care"
_CLINICIAN = (
    r"(?:doctors?|physicians?|gps?|general\s+practitioners?|clinicians?|pharmacists?|dietitians?|"
    r"dieticians?|nutritionists?|nurses?|midwi(?:fe|ves)|specialists?|consultants?|practitioners?|"
    r"gastroenterologists?|p(?:a)?ediatricians?|health\s+visitors?|providers?|therapists?|"
    rf"(?:{_HC}|health|medical)\s+(?:professionals?|providers?|practitioners?|team))"
)
_QUALIFIED = rf"(?:{_HC}|health|medical)\s+(?:professional|provider|practitioner)s?"
# What a disclaimer says it does not replace.
_ADVICE_OBJECT = (
    r"(?:\badvice\b|\bconsultations?\b|"
    r"\b(?:professional|clinical|expert|qualified|individual(?:i[sz]ed)?|personal(?:i[sz]ed)?)\s+"
    r"(?:care|diagnos[ie]s|treatment|help|judge?ment|attention|examination|evaluation|assessment|"
    r"opinion|support|guidance|counsell?ing|medical)|"
    r"\bmedical\s+(?:diagnos[ie]s|consultation|opinion|judge?ment|examination|evaluation|assessment|"
    r"supervision|professional)|"
    r"\b(?:a|your|the|an)\s+(?:(?:own|licensed|qualified|registered|trusted)\s+)*"
    rf"(?:{_CLINICIAN}|qualified)\b)"
)
# Words allowed between "substitute for"/"replace" and that object: "for a conversation with your
# doctor", "for seeing your GP", but not "for an allergy test from your doctor".
_OBJECT_GAP = (
    r"(?:[\s,]+(?:a|an|the|any|your|their|our|own|of|from|with|to|by|between|you|and|or|seeing|visiting|"
    r"consulting|speaking|talking|asking|getting|seeking|care|conversation|discussion|talk|visits?|"
    r"appointments?|input|support|help|guidance|treatment|diagnosis|expertise)\b){0,5}[\s,]+"
)
_ADVICE_KIND = (
    r"(?:medical|health|healthcare|health-care|clinical|dietary|nutritional|nutrition|professional)"
)
_PERSONAL = r"(?:personal|personali[sz]ed|individual|individuali[sz]ed|tailored)"
_ADVICE_NOUN = r"(?:advice|guidance|opinion|consultation|counsell?ing|recommendations?)"
_ADVICE = rf"{_ADVICE_KIND}\s+(?:{_ADVICE_KIND}\s+)?{_ADVICE_NOUN}\b"
# Words that may stand between "not" and "medical advice": "is not intended to be used as ...".
_FILLER = (
    r"(?:a|an|any|the|it|is|are|be|been|being|does|do|this|that|intended|meant|designed|to|offered|"
    r"given|provided|provide|provides|providing|offer|offers|offering|give|gives|giving|constitute|"
    r"constitutes|constituting|dispense|render|represent|represents|taken|construed|considered|"
    r"regarded|interpreted|treated|used|relied|upon|on|as|form|kind|type|of|or|and|in|way|should|"
    r"specific|personal|personali[sz]ed|individual|individuali[sz]ed|tailored|professional|legal|"
    r"formal|official|replace|replacement|for|substitute)"
)
_TREAT_VERB = (
    r"(?:self-)?(?:diagnos(?:e|ing)|treat(?:ing)?|cur(?:e|ing)|prevent(?:ing)?|mitigat(?:e|ing)|heal(?:ing)?)\b"
)
_TREAT_SEP = r"\s*(?:,|/|\bor\b|\band\b)\s*(?:or\s+|and\s+)?"
# "diagnose or treat ..." and three verbs count anywhere; other pairs only before a general object or
# the end of the clause, so "not meant to cure or prevent infections" is ordinary.
_TREAT_OBJECT = (
    r"(?=\s*(?:[.;:!?,)]|$)|\s+(?:any|a|an|the|your|yourself|yourselves|others|medical|health|diseases?|"
    r"illness(?:es)?|conditions?|ailments?|disorders?|problems?|symptoms?)\b)"
)
_EMERGENCY_NUMBER = (
    r"(?:911|999|112|111|000|emergency\s+services|an\s+ambulance|a\s*&\s*e|the\s+emergency\s+room)"
)
_WE = (
    r"(?:we|i|the\s+(?:authors?|publishers?|editors?|writers?|owners?|site|website|blog|company|"
    r"creators?|hosts?|contributors?)|this\s+(?:site|website|blog|publication|company|podcast|channel)|"
    r"our\s+(?:site|website|company|team|writers|authors|editors|contributors))"
)
_THIS_WORK = (
    r"(?:site|website|web\s+site|blog|article|post|page|podcast|episode|newsletter|channel|guide|book|"
    r"app|video)"
)
_INFORMATION = r"(?:information|content|material|articles?|posts?|advice|resources?)"
_RELATION = (
    r"(?:doctor|physician|provider|clinician|practitioner|nurse|dietitian|dietician|health[- ]?care|"
    r"therapist|pharmacist|professional|medical|gp)[- /](?:patient|client)\s+relationships?\b"
)

_LABEL = re.compile(
    r"[ \t]*[*_]{0,3}[ \t]*"
    r"(?:(?:medical|health|legal|general|important|editorial|fda|supplement|nutrition(?:al)?|dietary|"
    r"professional|standard|full|and|&|/|\+)[ \t]*)*"
    r"disclaimers?[ \t]*[*_]{0,3}"
    r"[ \t]*(?:[:.|\u2012\u2013\u2014\u2015\u2212]|-{1,2}(?=\s|$))[ \t]*[*_]{0,3}\s*",
    re.IGNORECASE,
)


class _Cue(NamedTuple):
    name: str
    weight: int
    gate: tuple[str, ...]
    """Words of which every match contains one; when none is in the text the pattern is not run."""
    source: str
    """The pattern, compiled on first use (most texts never reach most cues)."""


def _cue(name: str, weight: int, gate: tuple[str, ...], pattern: str) -> _Cue:
    return _Cue(name, weight, gate, pattern)


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)


_ADVICE_GATE = ("advice", "guidance", "opinion", "consultation", "counsel", "recommendation")
_CUES: tuple[_Cue, ...] = (
    # ---- strong: one of these alone is enough ----
    _cue("substitute", STRONG, ("substitut", "replacement", "alternative", "stand-in", "surrogate"),
         rf"{_NOT_NO}{_GAP % 60}\b(?:substitute|replacement|alternative|stand-in|surrogate)s?\s+"
         rf"(?:for|to|of)\b{_OBJECT_GAP}{_ADVICE_OBJECT}"),
    _cue("replace", MEDIUM, ("replace", "supersede", "place of"),
         rf"{_NOT_NO}{_GAP % 40}\b(?:replace[sd]?|supersedes?|takes?\s+the\s+place\s+of)\b"
         rf"{_OBJECT_GAP}"
         rf"(?:{_ADVICE_OBJECT}|\brelationship\b|\bvisits?\b|\bappointments?\b)"),
    _cue("for-information-purposes-only", STRONG, ("purpose",),
         _lead(r"information(?:al)?", r"education(?:al)?", r"general\s+information(?:al)?",
               r"general\s+educational", "entertainment")
         + r"(?:\s*(?:,|and|or|/)\s*(?:general\s+)?(?:informational|information|educational|education|"
         r"entertainment|reference|research|illustrative|discussion|awareness))*\s+purposes?\s+only\b"),
    _cue("for-information-purposes", MEDIUM, ("purpose",),
         _lead(r"information(?:al)?", r"education(?:al)?", r"general\s+information(?:al)?",
               r"general\s+educational", "entertainment")
         + r"(?:\s*(?:,|and|or|/)\s*(?:general\s+)?(?:informational|information|educational|education|"
         r"entertainment|reference|research|illustrative|discussion|awareness))*\s+purposes?\b"),
    _cue("information-only", STRONG, ("only",),
         _lead(r"general\s+(?:health\s+|medical\s+)?information", r"for\s+information(?:al\s+use)?",
               "informational", "educational", r"general\s+guidance", r"general\s+education",
               r"information\s+and\s+education", r"entertainment(?:\s+and\s+general\s+interest)?")
         + r"\s+(?:use\s+)?only\b"),
    _cue("not-medical-advice", STRONG, _ADVICE_GATE,
         rf"{_NOT}[\s,]+(?:{_FILLER}[\s,]+){{0,8}}(?:{_ADVICE_KIND}|{_PERSONAL})\s+(?:{_ADVICE_KIND}\s+)?"
         rf"{_ADVICE_NOUN}\b"),
    _cue("nothing-is-advice", STRONG, _ADVICE_GATE,
         _lead("nothing", "none", r"no\s+(?:part|content|information|material)")
         + rf"\b{_GAP % 60}\b(?:constitutes?|is|are|"
         r"should\s+be\s+(?:taken|construed|considered|regarded|interpreted|used)\s+as|"
         r"(?:is\s+)?intended\s+(?:as|to\s+be)|amounts?\s+to|represents?)[\s,]+"
         rf"(?:(?:a|an|any|specific|personal|professional|formal)\s+)*{_ADVICE}"),
    _cue("no-advice-given", STRONG, ("advice",),
         _lead("no") + rf"\s+{_ADVICE_KIND}\s+(?:{_ADVICE_KIND}\s+)?advice\s+"
         r"(?:is|was|should\s+be|will\s+be|can\s+be)?\s*(?:intended|given|provided|offered|implied|inferred)"),
    _cue("diagnose-treat", STRONG, ("diagnos", "treat", "cur", "prevent", "mitigat", "heal"),
         rf"{_NOT}\s+(?:(?:be|been|intended|meant|designed|used|to|for|as|a|an|means|of|way|purpose|"
         rf"suitable|appropriate|substitute|replacement|sufficient|enough|use|it|this|should|"
         rf"{_INFORMATION}|{_THIS_WORK})\s+){{1,6}}"
         rf"(?:(?:self-)?diagnos(?:e|ing)\b{_TREAT_SEP}{_TREAT_VERB}|"
         rf"{_TREAT_VERB}(?:(?:{_TREAT_SEP}{_TREAT_VERB}){{2,4}}|{_TREAT_SEP}{_TREAT_VERB}{_TREAT_OBJECT}))"),
    _cue("fda", STRONG, ("evaluated", "reviewed", "assessed"),
         rf"{_NOT_ONLY}\s+(?:(?:been|yet|be|were|was|being)\s+)*(?:evaluated|reviewed|assessed)\s+"
         r"by\s+(?:the\s+)?(?:u\.?\s?s\.?\s+|united\s+states\s+)?"
         r"(?:food\s+(?:and|&)\s+drug\s+administration|fda|tga|mhra|health\s+canada|efsa)\b"),
    _cue("no-relationship", STRONG, ("relationship",),
         rf"{_NOT_NO}\s+(?:\w+\s+){{0,3}}?"
         + _lead(r"creat\w*", r"establish\w*", r"form(?:s|ed|ing)?", r"constitut\w*", r"impl(?:y|ies|ied)",
               r"initiat\w*", r"enter\w*", r"intended\s+to\s+\w+")
         + rf"\b{_GAP % 40}\b{_RELATION}"),
    _cue("relationship-not-formed", STRONG, ("relationship",),
         rf"\b{_RELATION}\s+(?:is|are|will\s+be|shall\s+be|has\s+been|have\s+been|can\s+be|may\s+be)?\s*"
         r"(?:not\s+)?(?:created|established|formed|implied|intended|exists?)\b"),
    _cue("we-are-not-doctors", STRONG,
         ("i am", "i'm", "we are", "we're", "author", "writer", "editor", "host", "neither"),
         _lead(r"i\s+am", "i'm", r"we\s+are", "we're",
               r"the\s+(?:authors?|writers?|editors?|hosts?)\s+(?:is|are)",
               r"our\s+(?:writers|authors|editors|hosts)\s+are", r"writers\s+are", r"authors\s+are",
               r"editors\s+are", r"hosts\s+are", r"writer\s+is", r"author\s+is", r"host\s+is",
               r"neither\s+(?:i|we)\s+(?:am|are)")
         + r"\s+(?:not|n't|neither)\s+(?:a\s+|an\s+)?(?:(?:licensed|qualified|registered|practising|"
         r"practicing|trained|certified|medical|health)\s+)*"
         r"(?:doctors?|physicians?|medics?|gps?|medical\s+(?:professionals?|practitioners?|experts?)|"
         rf"{_HC}\s+(?:professionals?|providers?|practitioners?)|health\s+professionals?|dietitians?|"
         r"dieticians?|nutritionists?|nurses?|pharmacists?|clinicians?)\b"),
    _cue("no-medical-training", STRONG, ("training", "qualification", "background", "expertise"),
         _lead("i", "we", "the author", "the authors", "the writer", "the host", "our writers", "our authors")
         + r"\s+(?:have|has|'ve)\s+(?:no|not\s+had\s+any|not\s+had)\s+(?:formal\s+)?"
         r"(?:medical|clinical|nutrition(?:al)?|health|dietetic)\s+"
         r"(?:training|qualifications?|background|expertise)\b"),
    _cue("never-disregard", STRONG, ("advice",),
         rf"{_NOT}\s+(?:ignore|disregard|delay)\b{_GAP % 40}\badvice\b{_GAP % 40}"
         r"\b(?:because\s+of|based\s+on|due\s+to)\b"),
    _cue("because-you-read", STRONG, ("because of",),
         _lead("because") + r"\s+of\s+(?:something|anything|what)\s+you\s+(?:have\s+|may\s+have\s+)?"
         r"(?:read|heard|seen|watched)\b"),
    _cue("no-endorsement", STRONG, ("endorse",),
         _lead("recommend", "endorse") + r"\s+or\s+(?:endorse|recommend)\s+any\b"),
    _cue("own-risk-of-use", STRONG, ("risk",),
         _lead("use", "using", "reliance", "rely", "relying", "follow", "following", "act", "acting", "apply",
               "applying", "application")
         + rf"\b{_GAP % 30}\b(?:{_INFORMATION}|{_THIS_WORK}|suggestions?|recommendations?|tips?)\b{_GAP % 40}"
         r"\bat\s+(?:your|their|the\s+(?:reader|user|listener|viewer)'?s?)\s+(?:own\s+|sole\s+)+risk\b"),
    _cue("warranty", MEDIUM, ("warrant",),
         _lead("warranty", "warranties") + rf"\b|{_NOT}\s+(?:make\s+|give\s+)?(?:any\s+)?warrant\b"),
    _cue("no-guarantee", STRONG, ("no representation", "no guarantee", "as is"),
         _lead("makes", "make", "give", "gives") + r"\s+no\s+(?:representations?|guarantees?)\b|"
         + _lead("provided") + r"\s+[\"']?as\s+is\b"),
    _cue("liability", STRONG, ("responsib", "liab", "harmless"),
         _lead("accept", "assume", "take", "bear", "disclaim") + r"s?\s+(?:no|any|all)\s+"
         r"(?:responsibility|liability)\b|" + _lead("hold") + r"\s+harmless\b"),
    _cue("liable-for", MEDIUM, ("liab",), _lead("liable", "liability") + r"\s+(?:for|to\s+you)\b"),
    _cue("we-are-not-responsible", STRONG, ("responsib", "liable", "accountab"),
         rf"\b{_WE}\s+(?:(?:is|are|am|will|shall|can|may|do|does|could|would|ca|wo)\s*(?:not\b|n't)|cannot)"
         r"\s+(?:be\s+)?(?:held\s+)?(?:responsible|liable|accountable)\b"),
    _cue("not-responsible-for-harm", STRONG, ("responsib", "liable", "accountab"),
         rf"{_NOT_NO}\s+(?:be\s+)?(?:held\s+)?(?:responsible|liable|accountable)\s+for\s+(?:any\s+)?"
         r"(?:errors?|omissions?|inaccurac(?:y|ies)|consequences?|damages?|loss(?:es)?|injur(?:y|ies)|harm|"
         r"adverse|actions?|decisions?|outcomes?|the\s+use|your\s+use|how\s+you|any\s+action)"),
    # ---- medium: need one more cue of any kind ----
    _cue("intended-as-information", MEDIUM, ("intended", "meant", "designed"),
         _lead("intended", "meant", "designed")
         + r"\s+(?:only\s+)?(?:as|for|to\s+(?:provide|give|offer|share))"
         r"\s+(?:general\s+|background\s+)?(?:information|education|guidance)\b"),
    # Weak: it only lifts a paragraph that has a stronger cue ("This information does not replace ...").
    _cue("self-reference", WEAK, ("this", "our"),
         r"\b(?:this|our)\s+(?:\w+\s+)?(?:articles?|posts?|information|content|site|website|page|guides?|"
         r"recipes?|handout|podcast|episodes?|newsletter|blog|videos?|materials?)\b(?!\s+(?:explains?|shows?|"
         r"covers?|describes?|looks?|walks?|will|is\s+about))"),
    _cue("disclaimer-word", MEDIUM, ("disclaim",), r"\bdisclaimers?\b"),
    _cue("results-vary", MEDIUM, ("vary", "differ", "results"),
         r"\b(?:individual\s+)?(?:results|outcomes|experiences|responses)\s+(?:may|can|will|do|might|could)?\s*"
         r"(?:vary|differ)\b|\bresults\s+are\s+not\s+(?:typical|guaranteed)\b|\bindividual\s+results\b"),
    _cue("own-risk", MEDIUM, ("risk",), r"\bat\s+(?:your|their|one's)\s+own\s+risk\b"),
    _cue("emergency", MEDIUM, ("emergency",),
         _lead("if") + r"\s+you\s+(?:(?:think|believe|suspect|feel)\s+(?:that\s+)?you\s+"
         r"(?:may|might|could)?\s*"
         r"(?:have|be\s+having|are\s+having)|are\s+(?:having|experiencing)|have)\s+an?\s+"
         r"(?:medical|health)\s+emergency\b"),
    _cue("read-here", MEDIUM, ("read", "heard", "hear", "seen", "see", "watch"),
         _lead("anything", "something", "what", "everything", "information")
         + r"\s+you\s+(?:have\s+|may\s+have\s+|might\s+)?(?:read|hear|heard|see|seen|watch|watched)\s+"
         r"(?:here|in\s+this|on\s+this|on\s+our|in\s+our)\b"),
    _cue("do-not-rely", MEDIUM, ("rely", "relied", "depend"),
         rf"{_NOT}\s+(?:be\s+)?(?:rely|relied|depend)\s+(?:up)?on\b{_GAP % 50}"
         rf"\b(?:this|the|any|our|such)\b{_GAP % 30}\b(?:{_INFORMATION}|{_THIS_WORK})\b"),
    _cue("accuracy", MEDIUM,
         ("accura", "complete", "timeliness", "reliab", "currency", "correctness", "up to date",
          "up-to-date"),
         rf"{_NOT_NO}{_GAP % 40}\b(?:guarantee|warrant|vouch|ensure|promise|representations?)\b{_GAP % 40}"
         r"\b(?:accuracy|accurate|completeness|complete|timeliness|reliability|currency|correctness|"
         r"up[- ]to[- ]date)\b"),
    _cue("endorse", MEDIUM, ("endorse",),
         rf"{_NOT_NO}\s+(?:\w+\s+){{0,3}}?(?:endorse\w*|imply\s+(?:an\s+)?endorsement)"),
    _cue("opinions", MEDIUM, ("views", "opinions"),
         _lead("views", "opinions")
         + r"\s+(?:expressed\s+)?(?:here(?:in)?\s+|in\s+this\s+\w+\s+|on\s+this\s+\w+\s+)?"
         r"(?:are|is)\s+(?:those\s+of|solely|the\s+author's|my\s+own|our\s+own)"),
    _cue("questions-about-condition", MEDIUM, ("questions",),
         _lead("questions") + r"\s+(?:you\s+(?:may|might)\s+have\s+)?(?:regarding|about|concerning)\s+"
         r"(?:a|your|any)\s+(?:medical|health)\s+(?:condition|concern|problem|issue)"),
    # ---- weak: ordinary advice, counted only together ----
    _cue("consult", WEAK, (),
         _lead("consult", "speak", "talk", "check", "discuss", "seek", "ask", "see", "contact", "call",
               "visit", "get")
         + rf"\b{_GAP % 40}(?:\b{_CLINICIAN}\b|\b{_QUALIFIED}\b|\bmedical\s+(?:advice|attention|help)\b|"
         r"\bprofessional\s+(?:medical\s+)?(?:advice|help|guidance)\b)"),
    _cue("before-changes", WEAK, ("before", "prior to"),
         _lead("before", r"prior\s+to") + r"\s+(?:you\s+)?(?:start(?:ing)?|begin(?:ning)?|mak(?:e|ing)|"
         r"tr(?:y|ying)|tak(?:e|ing)|chang(?:e|ing)|undertak(?:e|ing)|embark(?:ing)?|adopt(?:ing)?|us(?:e|ing)|"
         r"stop(?:ping)?|follow(?:ing)?|act(?:ing)?|alter(?:ing)?|discontinu(?:e|ing))\b"),
    _cue("emergency-call", WEAK, ("call", "dial", "ring", "phone", "contact"),
         _lead("call", "dial", "ring", "phone", "contact")
         + rf"\s+(?:your\s+(?:doctor|gp|physician)\s+or\s+)?{_EMERGENCY_NUMBER}"),
    _cue("new-regimen", WEAK, ("program", "regimen", "regime", "plan"),
         _lead("new") + r"\s+(?:diet|exercise|fitness|nutrition|health|supplement|eating|weight[- ]loss)"
         r"(?:\s+(?:or|and|/)\s+(?:diet|exercise|fitness|nutrition|health|supplement|eating|treatment))?\s+"
         r"(?:program(?:me)?|regimen|regime|plan)s?\b"),
    _cue("general-information", WEAK, ("general",),
         _lead("general") + r"\s+(?:health\s+|medical\s+|educational\s+|background\s+)?"
         r"(?:information|guidance|overview|advice|education|interest)\b"),
    _cue("this-work", WEAK,
         ("information", "content", "material", "article", "post", "advice", "resource", "nothing",
          "anything"),
         rf"\b{_INFORMATION}\s+(?:on|in|of|from|within|provided\s+(?:on|in|by))\s+(?:this|our|the)\s+"
         rf"{_THIS_WORK}\b|\b(?:nothing|anything)\s+(?:on|in)\s+(?:this|our)\s+{_THIS_WORK}\b"),
    _cue("individual-circumstances", WEAK,
         ("individual", "specific", "particular", "personal", "unique", "different"),
         r"\b(?:your|their|each\s+person's|a\s+person's)\s+(?:own\s+)?(?:individual|specific|particular|"
         r"personal|unique)\s+(?:situation|circumstances|needs|health|condition|case|medical)|"
         r"\b(?:every(?:one|body)(?:'s\s+(?:body|gut|system))?|every\s+(?:person|body))\s+is\s+different\b"),
    _cue("qualified-provider", WEAK, ("other",),
         rf"\b{_CLINICIAN}\s*(?:,\s*|\s+)or\s+(?:an?\s+|your\s+)?(?:other|another)\s+"
         rf"(?:qualified|licensed|registered)\s+(?:{_QUALIFIED}|{_CLINICIAN})"),
    _cue("not-responsible", WEAK, ("responsible", "liable"),
         rf"{_NOT_ONLY}\s+(?:be\s+)?(?:held\s+)?(?:responsible|liable)\s+for\b"),
    _cue("may-not-apply", WEAK, ("may not",),
         _lead("may") + r"\s+not\s+(?:be\s+)?(?:reflect|up[- ]to[- ]date|current|accurate|complete|apply|"
         r"applicable|suitable|appropriate|right\s+for\s+you|work\s+for\s+you)\b"),
)

_HEADING_MARKUP = re.compile(r"^[\s#>*_]*(?:\d{1,3}[.):]?\s+)?|[\s*_#:.!\-|]*$")
_HEADING_WORD = (
    r"(?:medical|health|healthcare|legal|important|general|full|standard|editorial|content|site|"
    r"website|fda|supplement|nutrition(?:al)?|dietary|professional|our|the|a|an|please\s+read|"
    r"read\s+our|read\s+this)"
)
_HEADING_JOIN = r"\s*(?:and|&|/|\+|,)\s*"
_HEADING_COMPANION = (
    r"(?:(?:affiliate|advertising|financial|editorial|legal)\s+)?"
    r"(?:disclosures?|notices?|terms(?:\s+of\s+(?:use|service))?|privacy(?:\s+policy)?|policy|"
    r"warnings?|limitations?\s+of\s+liability)"
)
_DISCLAIMER_HEADING = re.compile(
    rf"(?:{_HEADING_COMPANION}{_HEADING_JOIN})?(?:{_HEADING_WORD}(?:\s+|{_HEADING_JOIN}))*disclaimers?"
    rf"(?:{_HEADING_JOIN}{_HEADING_COMPANION})*(?:\s*\([^()]{{0,40}}\))?"
    r"|(?:this\s+is\s+|this\s+(?:article|post|page|episode)\s+is\s+)?not\s+(?:medical|health|professional)"
    r"(?:\s+medical)?\s+advice"
    r"|(?:(?:a|an|important|our)\s+)?(?:note|word|notice|reminder|statement)s?\s+(?:on|about|regarding|re)\s+"
    r"(?:medical|health|professional)\s+advice"
    r"|(?:medical|health)\s+(?:advice|information)\s+(?:notice|warning|disclaimer|statement)",
    re.IGNORECASE,
)


def _flatten(text: str) -> str:
    """Fold typographic quotes, dashes and spaces to ASCII and collapse white space."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _SPACE.sub(" ", text).strip()


def _cues_in(flat: str) -> Iterator[tuple[str, int]]:
    # In the order of the vocabulary: strong cues first, so is_disclaimer can stop at the first one.
    lower = flat.lower()
    if _LABEL.match(flat):
        yield "label", STRONG
    for name, weight, gate, source in _CUES:
        if (not gate or any(word in lower for word in gate)) and _compiled(source).search(lower):
            yield name, weight


def disclaimer_label(text: str) -> int:
    """Length of a leading "Disclaimer:"-style label (with the spaces after it), or 0 when there is none."""
    match = _LABEL.match(text)
    return match.end() if match else 0


def disclaimer_cues(text: str) -> tuple[str, ...]:
    """Names of the cues found in a paragraph, strong ones first ("label" for a leading disclaimer label)."""
    return tuple(name for name, _ in _cues_in(_flatten(text)))


def disclaimer_score(text: str) -> int:
    """Sum of the weights of the distinct cues found in a paragraph (0 for ordinary prose)."""
    return sum(weight for _, weight in _cues_in(_flatten(text)))


def is_disclaimer(text: str) -> bool:
    """Tell whether a paragraph reads as a medical, health or informational disclaimer."""
    flat = _flatten(text)
    score = strongest = 0
    for _name, weight in _cues_in(flat):
        if weight >= STRONG:
            return True
        score += weight
        strongest = max(strongest, weight)
    # Ordinary advice ("talk to your doctor before starting a new exercise program") has only weak cues.
    return strongest >= MEDIUM and score >= THRESHOLD and flat.count(" ") + 1 <= WORDS_PER_POINT * score


def is_disclaimer_heading(title: str) -> bool:
    """Tell whether a section heading names a disclaimer ("Medical Disclaimer", "Not medical advice")."""
    flat = _flatten(title)
    if len(flat) > MAX_HEADING_CHARS:
        return False
    core = _HEADING_MARKUP.sub("", flat)
    return bool(core) and _DISCLAIMER_HEADING.fullmatch(core) is not None
