"""A module with blocks excluded from measurement."""

import sys


def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return high
    return value


def debug_dump(obj):  # pragma: no cover
    print(repr(obj))
    return obj


def platform_kind():
    if sys.platform == "win32":  # pragma: no cover
        return "windows"
    return "posix"


def checked(value):
    if value is not None:  # pragma: no branch
        value = str(value)
    return value
