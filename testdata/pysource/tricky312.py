# Cases only Python 3.12+ tokenizes: PEP 701 f-strings.
data = {"a": {"b": 1}}
songs = ["x", "y"]

a = f"{data["a"]["b"]}"
b = f"{ {'a': 1}['a'] }"
c = f"{", ".join(songs)}"
d = f"playlist: {", ".join([
    'Take me back to Eden',  # comment with " and }
    'Alkaline',
])}"
e = f"{f"{f"{1}"}"}"
f = f"{data["a"]!r:>{len(f"{songs}")}}"
g = f'{"\n".join(songs)}'
h = (f"{
    1 +
    2
}" + f"""{
'''
'''
}""")
i = f"{1:{'>'}{10}}"
j = 2
