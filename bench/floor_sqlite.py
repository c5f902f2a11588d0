# The floor for reading coverage.py SQLite data on this machine: SQLite
# itself steps every arc and line_bits row of every data file in DIR (the
# rows covmerge must read), on one thread, summing the columns inside the
# engine so that no row is skipped and no value crosses into Python.
# Usage: floor_sqlite.py DIR; prints the files, the seconds and a checksum.
import glob, sqlite3, sys, time
files = sorted(glob.glob(sys.argv[1] + "/.coverage.*"))
t = time.perf_counter()
total = 0
for f in files:
    con = sqlite3.connect("file:" + f + "?mode=ro", uri=True)
    total += con.execute("select count(*), sum(file_id + fromno + tono) from arc").fetchone()[1] or 0
    total += con.execute("select count(*), sum(length(numbits)) from line_bits").fetchone()[1] or 0
    con.close()
print(f"{len(files)} files, {time.perf_counter() - t:.3f} s (checksum {total})")
