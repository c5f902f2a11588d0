from pkg import pragmas
from pkg.sub import text_utils


def test_slugify():
    assert text_utils.slugify("Hello, World!") == "hello-world"
    assert text_utils.slugify("!!!") == ""


def test_truncate():
    assert text_utils.truncate("short", 10) == "short"
    assert text_utils.truncate("a long sentence", 8) == "a lon..."


def test_count_words():
    assert text_utils.count_words("a b a") == {"a": 2, "b": 1}


def test_clamp():
    assert pragmas.clamp(5, 0, 10) == 5
    assert pragmas.clamp(-1, 0, 10) == 0


def test_platform_kind_and_checked():
    assert pragmas.platform_kind() == "posix"
    assert pragmas.checked(7) == "7"
