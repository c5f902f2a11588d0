from mlpkg import shapes


def test_square():
    assert shapes.area("square", 3) == 9


def test_describe():
    assert shapes.describe([1, 0]) == ["pos", "other"]


def test_total():
    assert shapes.total([1, 2, 3], scale=2) == 12


def test_lookup_missing():
    assert shapes.lookup({}, "k") == ["k", "k"]


def test_clamp_inside():
    assert shapes.clamp(5, 0, 10) == 5
