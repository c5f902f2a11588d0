"""A tiny module that the tests cover completely."""

GREETING = "Hello"


def greet(name):
    return f"{GREETING}, {name}!"


def shout(name):
    return greet(name).upper()
