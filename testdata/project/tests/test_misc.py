from pkg import compat, flow, mod10


def test_version_tag():
    assert compat.version_tag() in {"new-313", "mid-312", "old-311"}


def test_chunked():
    assert compat.chunked([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]


def test_mod10():
    assert mod10.tenfold(3) == 30
    assert mod10.digits(1203) == [1, 2, 0, 3]


def test_flow_zero_paths():
    assert flow.classify(0) == "zero"
    assert flow.safe_div(1, 0) is None
    assert flow.collatz_steps(6) == 8


def test_describe():
    assert flow.describe([]) == "empty"
    assert flow.describe([1, -2]) == "small, negative"


def test_halve_odd():
    import pytest

    from pkg import mod2

    with pytest.raises(ValueError):
        mod2.halve(3)
