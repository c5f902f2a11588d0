"""Print coverage.py's multi-line map of each file named on the command line.

One line per file: `<path>: <first>-<last> ...` (the logical lines that span
more than one physical line, as coverage.py's PythonParser.multiline_map has
them), `<path>: lines N` first, or `<path>: error <kind>` when coverage.py
cannot parse the file. Run by testdata/pysource-regen.sh.
"""
import sys

import coverage
from coverage.exceptions import NotPython
from coverage.parser import PythonParser
from coverage.python import get_python_source

assert coverage.__version__ == "7.17.5", coverage.__version__

for path in sys.argv[1:]:
    try:
        # The text exactly as `coverage report` reads it (line ends, \f, BOM).
        parser = PythonParser(text=get_python_source(path), filename=path)
        parser.parse_source()
    except NotPython as err:
        print(f"{path}: error {type(err.__cause__).__name__}")
        continue
    spans = {}
    for line, first in parser.multiline_map.items():
        lo, hi = spans.get(first, (first, first))
        spans[first] = (min(lo, line), max(hi, line))
    lines = len(parser.text.split("\n")) - 1
    text = " ".join(f"{a}-{b}" for a, b in sorted(spans.values()))
    print(f"{path}: lines {lines} spans {text}".rstrip())
