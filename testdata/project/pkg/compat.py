"""Code whose executed lines depend on the Python version."""

import sys

if sys.version_info >= (3, 13):
    FLAVOUR = "3.13+"
elif sys.version_info >= (3, 12):
    FLAVOUR = "3.12"
else:
    FLAVOUR = "3.11-"


def version_tag():
    major, minor = sys.version_info[:2]
    if (major, minor) >= (3, 13):
        tag = "new"
        tag += "-313"
    elif (major, minor) == (3, 12):
        tag = "mid"
        tag += "-312"
    else:
        tag = "old"
        tag += "-311"
    return tag


if sys.version_info >= (3, 12):
    import itertools

    def chunked(items, size):
        return [list(batch) for batch in itertools.batched(items, size)]
else:

    def chunked(items, size):
        out = []
        for start in range(0, len(items), size):
            out.append(list(items[start:start + size]))
        return out
