"""Only the second worker parses."""
import re

PATTERN = re.compile(
    r"(?P<key>\w+)"
    r"=(?P<value>\w*)"
)


def parse(text):
    pairs = {}
    for m in PATTERN.finditer(
        text
    ):
        if not m.group("value"):
            continue
        pairs[m.group(
            "key"
        )] = m.group("value")
    return pairs


def strict_parse(text):
    pairs = parse(text)
    if not pairs:
        raise ValueError(
            "nothing to parse"
        )
    return pairs
