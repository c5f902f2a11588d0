import sys


def describe(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    return "positive"


class Box:
    def __init__(self, size):
        self.size = size

    def area(self):
        return self.size * self.size

    def unused(self):  # pragma: no cover
        return None


def main(argv):
    n = int(argv[0]) if argv else 0
    print(describe(n))
    if n > 10:
        print(Box(n).area())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
