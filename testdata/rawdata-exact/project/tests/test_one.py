from exactpkg.choose import Shelf, choose


def test_flag():
    assert choose(True, [1, 2]) == "flag-2"


def test_take_small():
    assert Shelf().take(1) == (1, 2)
