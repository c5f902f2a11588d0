"""Lines the tracer records that are not statements of coverage.py's report.

The first instruction of a multi-line statement can sit on a continuation
line. When that statement is excluded, "the nearest statement above" is an
unrelated statement; coverage.py drops the line. Functions end in
multi-line statements (the LCOV export's function end lines).
"""


def choose(flag, items):
    if flag:
        picked = "flag"
    else:
        picked = "plain"
    debug = (  # pragma: no cover
        len(items)
    )
    return "-".join([
        picked,
        str(len(items)),
    ])


class Shelf:
    """A shelf.

    With a docstring over several lines.
    """

    size = (
        len("abc")
    )

    def take(self, n):
        if n > self.size:
            return None
        total = (  # pragma: no cover
            n * 2
        )
        return (n,
                n + 1)

    def label(self):
        return f"""shelf of {
            self.size
        }"""
