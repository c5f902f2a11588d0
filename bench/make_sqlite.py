#!/usr/bin/env python3
"""Write one coverage.py SQLite data file per worker from OUT/lines/*.txt.

    make_sqlite.py OUT          -> OUT/sqlite/.coverage.wNNNN

Uses only coverage.py's public CoverageData API.  The corpus is branch mode,
so everything is recorded as arcs (coverage.py refuses to mix lines and arcs
in one data file): the branch arcs the generator lists, plus an entry arc
(-1, L) for every executed line L.  coverage.py derives a file's executed
lines from its arcs' endpoints, so the executed lines match the LCOV and
JSON corpora exactly; the entry arcs are not possible arcs of the source and
do not count as branches in `coverage report`.

Each line of OUT/lines/wNNNN.txt is either
    PATH<TAB>L1 L2 L3 ...          executed lines
    PATH<TAB>arcs<TAB>A,B A,B ...  executed branch arcs
"""

import os
import sys
from multiprocessing import Pool

from coverage import CoverageData


def convert(job):
    src, dst_dir = job
    worker = os.path.basename(src)[: -len(".txt")]
    arcs = {}
    with open(src, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            path = parts[0]
            file_arcs = arcs.setdefault(path, [])
            if len(parts) == 3 and parts[1] == "arcs":
                for pair in parts[2].split():
                    a, b = pair.split(",")
                    file_arcs.append((int(a), int(b)))
            elif len(parts) == 2:
                file_arcs.extend((-1, int(n)) for n in parts[1].split())
    data = CoverageData(basename=os.path.join(dst_dir, ".coverage"), suffix=worker)
    data.add_arcs(arcs)
    data.write()
    return worker


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_sqlite.py OUT")
    out = sys.argv[1]
    lines_dir = os.path.join(out, "lines")
    dst_dir = os.path.join(out, "sqlite")
    os.makedirs(dst_dir, exist_ok=True)
    jobs = [
        (os.path.join(lines_dir, name), dst_dir)
        for name in sorted(os.listdir(lines_dir))
        if name.endswith(".txt")
    ]
    with Pool(os.cpu_count() or 1) as pool:
        done = sum(1 for _ in pool.imap_unordered(convert, jobs))
    print(f"make_sqlite: wrote {done} data files to {dst_dir}")


if __name__ == "__main__":
    main()
