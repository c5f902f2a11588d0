import pytest

from mlpkg import parse, shapes


def test_rect():
    assert shapes.area("rect", 2, 5) == 10


def test_bad_kind():
    with pytest.raises(ValueError):
        shapes.area("circle", 1)


def test_parse():
    assert parse.parse("a=1 b= c=x") == {"a": "1", "c": "x"}


def test_strict_parse_empty():
    with pytest.raises(ValueError):
        parse.strict_parse("")


def test_total_empty():
    assert shapes.total([]) == 0
