"""Multi-line statements: the tracer reports continuation lines."""


def area(kind, a, b=None):
    if kind == "square":
        result = (
            a
            * a
        )
    elif kind == "rect":
        result = (
            a
            * b
        )
    else:
        raise ValueError(
            "unknown kind: "
            + kind
        )
    return result


def describe(items):
    out = []
    for item in items:
        if (
            item
            and item > 0
        ):
            out.append(
                "pos"
            )
        else:
            out.append("other")
    return out


def total(values, scale=1):
    acc = 0
    while (
        values
    ):
        acc += (
            values.pop()
            * scale
        )
    return acc


def debug_dump(x):  # pragma: no cover
    print(x)
    return x


def lookup(table, key):
    value = table.get(
        key,
        None,
    )
    if value is None:  # pragma: no branch
        value = [
            key,
            key,
        ]
    return value


def clamp(x, lo, hi):
    if x < lo:
        return (
            lo
        )
    if (
        x
        > hi
    ):
        return hi
    return x
