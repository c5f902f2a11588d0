def double(x):
    return x * 2


def halve(x):
    if x % 2:
        raise ValueError("odd")
    return x // 2


def append_if(items, value):
    if value is not None:
        items.append(value)
    return items
