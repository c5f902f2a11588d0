"""Exits of every kind coverage.py's LCOV names."""
import os

VERBOSE = os.environ.get("EXITS_VERBOSE") == "1"


class Config:
    """A class body with a condition as its last statement."""

    name = "config"
    if VERBOSE:
        level = 2


class Progress:
    def __init__(self, total):
        self.total = total

    def render(self, done):
        def render_progress(step):
            if step > self.total:
                return "over"
            if step:
                print(step)

        for step in range(done):
            render_progress(step)
        return done


def check(value):
    if value is None: raise ValueError("no value")
    return value


def gen(items):
    for item in items:
        if item:
            yield item


def pick(flag):
    return [x for x in range(3) if flag]
