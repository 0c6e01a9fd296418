"""How X counts a post's length (twitter-text's v3 configuration, what X enforces on POST /2/tweets): each code point
weighs 1 in Latin, Greek, Cyrillic and other narrow scripts (U+0000–U+10FF and some punctuation) and 2 elsewhere
(CJK, Hangul, …); an emoji — a whole sequence, with its skin tone, joiners or flag pair — weighs 2; a link weighs 23
whatever its length, since X shortens it. Bare domains without http(s):// or www. are counted character by
character, which is never less than X counts them unless they are shorter than 23.

composer.js counts the same way for the live counter (xLength there).
"""

import unicodedata

import regex

MAX = 280
LINK_WEIGHT = 23
# twitter-text v3: code points in these ranges weigh 1, every other one 2.
NARROW = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
LINK = regex.compile(r"(?:https?://|(?<![\w@.])www\.)[^\s<>\"]+", regex.IGNORECASE)
LINK_TRAILING = ".,;:!?)]}'\""
EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


def weighted_length(text):
    """The length X gives `text`, to compare with MAX (X counts the text in NFC, as typed on most keyboards)."""
    text = unicodedata.normalize("NFC", text)
    total, start = 0, 0
    for link in LINK.finditer(text):
        shown = link.group().rstrip(LINK_TRAILING)
        total += _plain(text[start : link.start()]) + LINK_WEIGHT
        start = link.start() + len(shown)
    return total + _plain(text[start:])


def _plain(text):
    total = 0
    for cluster in regex.findall(r"\X", text):
        if EMOJI.search(cluster):
            total += 2
        else:
            total += sum(1 if _narrow(ord(char)) else 2 for char in cluster)
    return total


def _narrow(code):
    return any(low <= code <= high for low, high in NARROW)
