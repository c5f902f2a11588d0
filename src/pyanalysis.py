# Run by covmerge with the user's interpreter (see src/pyanalysis.rs): ask
# this interpreter's coverage.py for the report of measured data whose
# statements covmerge cannot know. Reads one JSON request on stdin:
#   {"branch": bool, "rcfile": str|bool, "files": [{"path": abs, "lines": [..], "arcs": [[a, b], ..]}]}
# and writes one JSON answer on stdout:
#   {"meta": {"format": 3, "version": coverage.py's, "branch_coverage": bool},
#    "files": {abs path as asked: coverage.py JSON report entry}}
# which is itself a coverage.py JSON report, read by covmerge's reader of them.
# Public coverage.py API: CoverageData to hold the data, json_report to
# analyse it exactly as `coverage report` would (same version, same
# configuration, same interpreter). One liberty, for speed only: the json
# module its JSON report writes with is given a faster dump (encode_in_c).
import json
import os
import sys
import tempfile

import coverage
from coverage.data import CoverageData


try:
    from coverage.files import abs_file  # what the tracer records
except ImportError:  # pragma: no cover
    def abs_file(path):
        return os.path.abspath(os.path.realpath(path))


def encode_in_c():
    """json.dump encodes in pure Python, json.dumps in C (a third of the
    analysis time on a report of 500 files went to json.dump): have
    coverage.py's JSON report use dumps. The text is the same; a coverage.py
    that writes its report otherwise is left as it is."""
    try:
        from coverage import jsonreport
    except ImportError:  # pragma: no cover
        return
    if getattr(jsonreport, "json", None) is not json:
        return

    class JsonInC:
        def __getattr__(self, name):
            return getattr(json, name)

        @staticmethod
        def dump(obj, fp, **kwargs):
            fp.write(json.dumps(obj, **kwargs))

    jsonreport.json = JsonInC()


def main():
    encode_in_c()
    req = json.load(sys.stdin)
    files = req["files"]
    # The data must name each file as the tracer would (links resolved),
    # or the report looks it up under another name and finds nothing.
    for f in files:
        f["asked"] = f["path"]
        f["path"] = abs_file(f["path"])
    with tempfile.TemporaryDirectory(prefix="covmerge-") as tmp:
        data_file = os.path.join(tmp, ".coverage")
        data = CoverageData(basename=data_file)
        if req["branch"]:
            data.add_arcs({f["path"]: [tuple(a) for a in f["arcs"]] for f in files})
        else:
            data.add_lines({f["path"]: f["lines"] for f in files})
        data.write()
        cov = coverage.Coverage(data_file=data_file, config_file=req["rcfile"])
        # covmerge applies include/omit itself, after this analysis.
        cov.set_option("report:include", None)
        cov.set_option("report:omit", None)
        cov.set_option("run:include", None)
        cov.set_option("run:omit", None)
        cov.load()
        out = os.path.join(tmp, "report.json")
        try:
            cov.json_report(morfs=[f["path"] for f in files], outfile=out, ignore_errors=True)
        except coverage.exceptions.NoDataError:
            pass
        report = {}
        if os.path.exists(out):
            with open(out, encoding="utf-8") as fh:
                report = json.load(fh).get("files", {})
    # Report names are relative to this directory, or absolute, and
    # coverage.py resolves symbolic links: key the answer by the paths asked.
    asked = {f["path"]: f["asked"] for f in files}
    meta = {"format": 3, "version": coverage.__version__, "branch_coverage": bool(req["branch"])}
    answer = {"meta": meta, "files": {}}
    for name, entry in report.items():
        path = asked.get(abs_file(name))
        if path is not None:
            answer["files"][path] = entry
    sys.stdout.write(json.dumps(answer))


main()
