"""Text helpers with a long-ish module name (underscores get escaped in markdown)."""

import re

_WORD_RE = re.compile(r"[A-Za-z0-9]+")


def slugify(text, sep="-"):
    words = _WORD_RE.findall(text.lower())
    if not words:
        return ""
    return sep.join(words)


def truncate(text, width, ellipsis="..."):
    if width <= 0:
        raise ValueError("width must be positive")
    if len(text) <= width:
        return text
    if width <= len(ellipsis):
        return ellipsis[:width]
    return text[: width - len(ellipsis)] + ellipsis


def count_words(text):
    counts = {}
    for word in _WORD_RE.findall(text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return counts
