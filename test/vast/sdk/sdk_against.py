"""Drives a VAST endpoint with the official `vastdb` SDK and checks every answer.

    sdk_against.py <endpoint> <access> <secret> <bucket> [--fail-table NAME]
                                            # a VAST cluster or the fake server
    sdk_against.py --stub                   # self-test against stub.py

Creates a uniquely named schema with a table of every engine column type, inserts rows with nulls
and non-ASCII text, selects with each predicate operator and a projection, pages through 300,000
rows with a small `tabular-limit-rows`, updates and deletes by `$row_id`, checks that a rolled-back
insert stays invisible, adds a column, and drops everything again. Against a server (not the
stub), also what VAST's clients use beyond the engine: a table of every type the SDK creates and
reads (sdk_types.py), projections and calls outside a transaction (sdk_calls.py); with
`--fail-table NAME` (a fake failing every query of that table) the failure frame as the SDK reads it. Stops at the first mismatch with a line saying what differed; the last line is
`sdk: N passed, M failed`.
A test tool run from .venv-oracles; never part of the server.
"""

import datetime
import logging
import sys
import uuid

import pyarrow as pa
import vastdb
from vastdb.config import QueryConfig

# Run as a script: its folder is on sys.path (columns.py, stub.py, sdk_types.py, sdk_calls.py).
from columns import COLUMNS
from sdk_calls import failure_frame_check, outside_transaction_checks, projection_checks
from sdk_types import types_checks

ts = datetime.datetime
ROWS = [  # c_int64 is unique and never null: the sort key of every comparison
    dict(c_utf8="alpha", c_int64=1, c_int32=10, c_float64=0.5, c_bool=True, c_ts=ts(2026, 1, 2, 3, 4, 5, 6)),
    dict(c_utf8="Ωmega — ünïcödé ✓ 東京", c_int64=-9007199254740993, c_int32=-2147483648, c_float64=-1.25,
         c_bool=False, c_ts=ts(1970, 1, 1)),
    dict(c_utf8=None, c_int64=2 ** 62, c_int32=None, c_float64=None, c_bool=None, c_ts=None),
    dict(c_utf8="alphabet", c_int64=3, c_int32=2147483647, c_float64=1e300, c_bool=True,
         c_ts=ts(1969, 12, 31, 23, 59, 59, 999999)),
    dict(c_utf8="", c_int64=4, c_int32=0, c_float64=0.0, c_bool=False, c_ts=ts(2100, 1, 1)),
    dict(c_utf8="beta", c_int64=5, c_int32=-1, c_float64=2.5, c_bool=None, c_ts=ts(2000, 1, 1)),
]
BIG_ROWS, BIG_SLICE, PAGE_ROWS = 300_000, 100_000, 10_000


def cmp(v, op, lit):
    """SQL semantics: a comparison with null is not true."""
    return v is not None and op(v, lit)


# (name, predicate over the ibis table, the same predicate over a Python row)
PREDICATES = [
    ("==", lambda t: t["c_utf8"] == "alpha", lambda r: r["c_utf8"] == "alpha"),
    ("!=", lambda t: t["c_int64"] != 1, lambda r: cmp(r["c_int64"], int.__ne__, 1)),
    ("<", lambda t: t["c_int32"] < 0, lambda r: cmp(r["c_int32"], int.__lt__, 0)),
    ("<=", lambda t: t["c_float64"] <= 0.5, lambda r: cmp(r["c_float64"], float.__le__, 0.5)),
    (">", lambda t: t["c_ts"] > ts(2000, 1, 1), lambda r: cmp(r["c_ts"], ts.__gt__, ts(2000, 1, 1))),
    (">=", lambda t: t["c_int64"] >= 3, lambda r: cmp(r["c_int64"], int.__ge__, 3)),
    ("== bool", lambda t: t["c_bool"] == True, lambda r: r["c_bool"] is True),  # noqa: E712
    ("isin", lambda t: t["c_utf8"].isin(["alpha", "beta"]), lambda r: r["c_utf8"] in ("alpha", "beta")),
    ("isnull", lambda t: t["c_int32"].isnull(), lambda r: r["c_int32"] is None),
    ("~isnull", lambda t: ~t["c_utf8"].isnull(), lambda r: r["c_utf8"] is not None),
    ("startswith", lambda t: t["c_utf8"].startswith("alph"),
     lambda r: r["c_utf8"] is not None and r["c_utf8"].startswith("alph")),
    ("contains", lambda t: t["c_utf8"].contains("ünï"),
     lambda r: r["c_utf8"] is not None and "ünï" in r["c_utf8"]),
    ("between", lambda t: t["c_int32"].between(-1, 10), lambda r: cmp(r["c_int32"], lambda a, b: -1 <= a <= b, 10)),
    ("and of or groups",
     lambda t: ((t["c_int64"] == 1) | (t["c_int64"] == 3)) & ((t["c_utf8"] == "alpha") | t["c_utf8"].isnull()),
     lambda r: r["c_int64"] in (1, 3) and (r["c_utf8"] == "alpha" or r["c_utf8"] is None)),
]


class Checks:
    def __init__(self):
        self.passed = 0

    def ok(self, name, expected, got):
        if expected != got:
            print(f"sdk: FAIL {name}: expected {_short(expected)}, got {_short(got)}")
            print(f"sdk: {self.passed} passed, 1 failed")
            sys.exit(1)
        self.passed += 1
        print(f"ok {name}")


def _short(v):
    text = repr(v)
    return text if len(text) < 600 else text[:600] + "..."


def rows_of(reader) -> list:
    return sorted(reader.read_all().to_pylist(), key=lambda r: r["c_int64"])


def small_table_checks(c: Checks, t, ids):
    everything = sorted(ROWS, key=lambda r: r["c_int64"])
    c.ok("select all columns, no predicate", everything, rows_of(t.select()))
    got = t.select(columns=["c_float64", "c_int64", "c_utf8"]).read_all()
    c.ok("projection: column order", ["c_float64", "c_int64", "c_utf8"], got.column_names)
    c.ok("projection: values", [{k: r[k] for k in ("c_float64", "c_int64", "c_utf8")} for r in everything],
         sorted(got.to_pylist(), key=lambda r: r["c_int64"]))
    for name, pred, expect in PREDICATES:
        c.ok(f"predicate {name}", [r for r in everything if expect(r)], rows_of(t.select(predicate=pred(t))))
    got = t.select(columns=["c_int64"], predicate=t["c_int32"] < 0, internal_row_id=True).read_all().to_pylist()
    want = sorted(({"c_int64": r["c_int64"], "$row_id": i} for r, i in zip(ROWS, ids) if cmp(r["c_int32"], int.__lt__, 0)),
                  key=lambda r: r["c_int64"])
    c.ok("select with internal_row_id", want, sorted(got, key=lambda r: r["c_int64"]))
    got = t.select(columns=["c_int64"], limit_rows=2).read_all()
    c.ok("select with limit_rows=2", 2, got.num_rows)


def main(endpoint, access, secret, bucket_name, stub=False, fail_table=None):
    logging.disable(logging.CRITICAL)
    print(f"sdk: vastdb {vastdb.version()}, pyarrow {pa.__version__}, against {endpoint}")
    c = Checks()
    session = vastdb.connect(endpoint=endpoint, access=access, secret=secret)
    c.ok("version probe: a 4-part version", 4, len(session.api.vast_version))
    schema_name = f"tams_sdk_{uuid.uuid4().hex[:12]}"
    with session.transaction() as tx:
        bucket = tx.bucket(bucket_name)
        schema = bucket.create_schema(schema_name)
        c.ok("create schema: listed", True, schema_name in [s.name for s in bucket.schemas()])
        t = schema.create_table("every_type", COLUMNS)
        c.ok("create table: listed", ["every_type"], schema.tablenames())
        c.ok("create table: columns", COLUMNS, t.columns())
        ids = t.insert(pa.Table.from_pylist(ROWS, schema=COLUMNS)).to_pylist()
        c.ok("insert: one row id per row, distinct", len(ROWS), len(set(ids)))
        small_table_checks(c, t, ids)
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).table("every_type")
        c.ok("committed rows visible in a new transaction", len(ROWS), t.select().read_all().num_rows)
        c.ok("stats: num_rows after commit", len(ROWS), t.get_stats().num_rows)
        by_id = {r["c_utf8"]: r["$row_id"] for r in t.select(columns=["c_utf8"], internal_row_id=True).read_all().to_pylist()}
        t.update(pa.table({"$row_id": pa.array([by_id["beta"], by_id["alpha"]], pa.uint64()),
                           "c_utf8": ["beta2", "alpha2"], "c_int32": pa.array([None, 11], pa.int32())}))
        got = rows_of(t.select(columns=["c_int64", "c_utf8", "c_int32"], predicate=t["c_int64"].isin([1, 5])))
        c.ok("update by $row_id", [{"c_int64": 1, "c_utf8": "alpha2", "c_int32": 11},
                                   {"c_int64": 5, "c_utf8": "beta2", "c_int32": None}], got)
        t.delete(pa.table({"$row_id": pa.array([by_id["alphabet"], by_id[""]], pa.uint64())}))
        got = [r["c_int64"] for r in rows_of(t.select(columns=["c_int64"]))]
        c.ok("delete by $row_id", sorted(r["c_int64"] for r in ROWS if r["c_int64"] not in (3, 4)), got)
    try:
        with session.transaction() as tx:
            t = tx.bucket(bucket_name).schema(schema_name).table("every_type")
            t.insert(pa.Table.from_pylist([dict(ROWS[0], c_int64=99)], schema=COLUMNS))
            c.ok("insert visible inside its transaction", 1, t.select(predicate=t["c_int64"] == 99).read_all().num_rows)
            raise _Rollback()
    except _Rollback:
        pass
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).table("every_type")
        c.ok("rolled-back insert invisible", 0, t.select(predicate=t["c_int64"] == 99).read_all().num_rows)
        t.add_column(pa.schema([pa.field("c_added", pa.utf8())]))
        got = t.select(columns=["c_added"]).read_all()
        c.ok("add column: existing rows read null", [None] * (len(ROWS) - 2), got["c_added"].to_pylist())
    paging_checks(c, session, bucket_name, schema_name)
    if not stub:  # the recording stub models what the engine uses only
        types_checks(c, session, bucket_name, schema_name)
        projection_checks(c, session, bucket_name, schema_name)
        outside_transaction_checks(c, session, bucket_name, schema_name)
    if fail_table:
        failure_frame_check(c, session, bucket_name, schema_name, fail_table)
    with session.transaction() as tx:
        schema = tx.bucket(bucket_name).schema(schema_name)
        for t in schema.tables():
            t.drop()
        schema.drop()
    with session.transaction() as tx:
        c.ok("drop schema: gone", None, tx.bucket(bucket_name).schema(schema_name, fail_if_missing=False))
    print(f"sdk: {c.passed} passed, 0 failed")


def paging_checks(c: Checks, session, bucket_name, schema_name):
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).create_table("paged", pa.schema([
            pa.field("n", pa.int64()), pa.field("label", pa.utf8())]))
        for start in range(0, BIG_ROWS, BIG_SLICE):
            n = pa.array(range(start, start + BIG_SLICE), pa.int64())
            t.insert(pa.table({"n": n, "label": pa.array([f"row {i}" for i in range(start, start + BIG_SLICE)])}))
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).table("paged")
        config = QueryConfig(num_sub_splits=2, limit_rows_per_sub_split=PAGE_ROWS)
        got = t.select(columns=["n"], config=config).read_all()
        c.ok(f"paged select: {BIG_ROWS} rows in pages of {PAGE_ROWS}", BIG_ROWS, got.num_rows)
        c.ok("paged select: every row once", list(range(BIG_ROWS)), sorted(got["n"].to_pylist()))
        got = t.select(predicate=t["n"] >= BIG_ROWS - 5, config=config).read_all()
        c.ok("paged select with a predicate", [f"row {i}" for i in range(BIG_ROWS - 5, BIG_ROWS)],
             sorted(got["label"].to_pylist(), key=lambda s: int(s.split()[1])))


class _Rollback(Exception):
    pass


if __name__ == "__main__":
    if sys.argv[1:] == ["--stub"]:
        from stub import VastStub

        stub = VastStub("tams-sdk")
        try:
            main(stub.serve(), "STUBACCESS", "stub-secret", "tams-sdk", stub=True)
        finally:
            stub.close()
    elif len(sys.argv) == 5:
        main(*sys.argv[1:])
    elif len(sys.argv) == 7 and sys.argv[5] == "--fail-table":
        main(*sys.argv[1:5], fail_table=sys.argv[6])
    else:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
