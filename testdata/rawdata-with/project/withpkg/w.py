# Branch lines that end `with` bodies: on Python 3.10+ the tracer records
# the body's last line -> the `with` line (the context manager's exit) ->
# the next statement; coverage.py reports the body's last line -> the next
# statement.
import contextlib


@contextlib.contextmanager
def ctx():
    yield


def tail_if(x):
    with ctx():
        y = 1
        if x:
            y = 2
    return y


def nested(x):
    with ctx():
        with ctx():
            if x:
                x += 1
    return x


def in_loop(items):
    total = 0
    for i in items:
        with ctx():
            if i:
                total += i
    return total


def at_end(x):
    with ctx():
        if x:
            print("x")


def multi(x):
    with (ctx() as a,
          ctx() as b):
        if x:
            x = (a, b)
    return x


def early(x):
    with ctx():
        if x:
            return 1
        y = 2
    return y


async def agen(x):
    async with contextlib.AsyncExitStack():
        if x:
            x = 2
    return x


def one_line(x):
    with ctx(): y = x
    return y
