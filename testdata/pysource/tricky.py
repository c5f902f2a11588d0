# Hand-written cases for the logical-line scanner (valid on Python 3.11 and 3.12).
import os


def prefixes():
    a = r'\'' + R"\"" + u'x' + U"y" + b'z' + B"w"
    b = (rb'\\'
         + Rb"x" + bR'y' + BR"z" + br'''
''' + Br"""
""")
    c = f'{a}' + F"{b}" + fr'{a}\d' + Rf"{b}" + fR'''{
a}''' + rF"""
{b}"""
    return a, b, c


def quotes_and_escapes():
    s = 'it\'s' + "say \"hi\"" + 'back\\' + "tab\t"
    t = 'one \
two'
    u = """a "quote" and '' two ''' inside """ + '''x"""y'''
    v = ''  # empty
    w = """"""
    return s, t, u, v, w


def continuations(x):
    y = x + \
        1 + \
        2
    if (x and
            y):
        z = [
            1,  # a comment with ( and '
            2,
        ]
    else:
        z = {
            'k': (
                3
            )
        }
    return z


def fstrings(x, width=5, items=()):
    a = f"{x!r:>{width}}" + f'{x:#x}' + f"{{literal}}" + f"{x:'>10}"
    b = f"{'nested'}" + f'{"other"}' + f"{x['k'] if isinstance(x, dict) else x}"
    c = f"""{
        x
    }""" + f'''{x:{"<"}{width}}'''
    d = f"{x=}" + f"{x = }" + f"{(lambda y: y)(x)}" + f"{items[1:2]}"
    e = f"\N{BULLET} {x}" + rf"\N{x}"
    return (a,
            b, c, d, e)


class Docs:
    """A class docstring
    over three
    lines."""

    value = (
        "implicit"
        "concatenation"
    )

    def method(self):
        '''A method docstring.'''
        return self.value


def decorated():
    @staticmethod
    def inner(
        a,
        b,
    ):
        return [a for a in (
            b,
        )]
    return inner


lam = lambda: (
    1
)
d = {1: 2,
     3: 4}; e = [
    5]
if True: f = (
    6)
x = 1;
empty = ()
semi = 1; other = (
    2)
path = os.path.join("a",
                    "b")
