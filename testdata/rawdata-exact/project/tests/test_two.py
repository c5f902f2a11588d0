from exactpkg.choose import Shelf


def test_label():
    assert Shelf().label().startswith("shelf of")
