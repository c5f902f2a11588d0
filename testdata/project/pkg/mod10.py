def tenfold(x):
    return x * 10


def digits(n):
    if n == 0:
        return [0]
    out = []
    while n:
        n, d = divmod(n, 10)
        out.append(d)
    return out[::-1]
