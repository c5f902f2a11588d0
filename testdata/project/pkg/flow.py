"""Control-flow helpers: if/elif/else, loops with break, early returns."""


def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    elif n < 10:
        return "small"
    else:
        return "large"


def first_even(items):
    for item in items:
        if item % 2 == 0:
            break
    else:
        return None
    return item


def safe_div(a, b):
    if b == 0:
        return None
    return a / b


def countdown(n):
    steps = []
    while n > 0:
        steps.append(n)
        n -= 1
    return steps


def collatz_steps(n):
    count = 0
    while n != 1:
        if n % 2:
            n = 3 * n + 1
        else:
            n //= 2
        count += 1
    return count


def describe(values):
    # An early return, then a loop that may never run.
    if not values:
        return "empty"
    parts = []
    for v in values:
        if v is None:
            continue
        parts.append(classify(v))
    return ", ".join(parts)


def notify(msg, sink=None):
    if sink is not None:
        sink.append(msg)


def total_positive(values):
    total = 0
    for v in values:
        if v > 0:
            total += v
    return total
