from pkg import flow, greet, mod2


def test_classify_negative_and_small():
    assert flow.classify(-3) == "negative"
    assert flow.classify(4) == "small"


def test_first_even_found():
    assert flow.first_even([1, 3, 4, 5]) == 4


def test_safe_div():
    assert flow.safe_div(6, 3) == 2


def test_countdown():
    assert flow.countdown(3) == [3, 2, 1]


def test_greet():
    assert greet.greet("Ada") == "Hello, Ada!"
    assert greet.shout("Ada") == "HELLO, ADA!"


def test_mod2():
    assert mod2.double(21) == 42
    assert mod2.halve(8) == 4


def test_notify_with_sink():
    sink = []
    flow.notify("hi", sink)
    assert sink == ["hi"]


def test_total_positive():
    assert flow.total_positive([1, 2, 3]) == 6


def test_append_if():
    assert mod2.append_if([], 1) == [1]
