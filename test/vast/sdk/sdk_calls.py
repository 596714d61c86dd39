"""Calls beyond the engine's, driven through the SDK (sdk_against.py) against the fake server.

Projections as the SDK's own tests use them (tests/test_projections.py): created, listed, named,
their columns and stats read, renamed, dropped, and a select answered from one, in its order.
The SDK's low-level calls with their default `txid=0`: a listing, a table created, rows
inserted, read back outside any transaction. And the QueryData failure frame, as the SDK reads
it, from a fake failing every query of the table named (tools/vast-fake/fake.main.ts --fail-queries-on-table).
"""

import pyarrow as pa
import vastdb
from vastdb import errors
from vastdb._internal import QueryDataInternalError
from vastdb.config import QueryConfig

N = 2000


def projection_checks(c, session, bucket_name, schema_name):
    columns = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("s", pa.utf8())])
    rows = pa.table({"a": list(range(N)), "b": list(reversed(range(N))), "s": [f"s{i}" for i in range(N)]},
                    schema=columns)
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).create_table("projected", columns)
        t.insert(rows)
        p1 = t.create_projection("p1", ["b"], ["a", "s"])
        t.create_projection("p2", ["a"], ["b"])
        c.ok("projections: listed", ["p1", "p2"], [p.name for p in t.projections()])
        c.ok("projection: by name", "p1", t.projection("p1").name)
        c.ok("projection: columns, sorted first", ["b", "a", "s"], p1.columns().names)
        c.ok("projection: stats rows", N, t.projection("p1").stats.num_rows)
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).table("projected")
        want = rows.filter(pa.compute.field("b") < 5).sort_by("b")
        got = pa.Table.from_batches(t.select(columns=["a", "b", "s"], predicate=t["b"] < 5))
        c.ok("projection: a select it serves, in its order", want, got.combine_chunks())
        config = QueryConfig(semi_sorted_projection_name="p1")
        got = pa.Table.from_batches(t.select(columns=["a", "b", "s"], predicate=t["a"] >= N - 3, config=config))
        c.ok("projection: named by the select", rows.filter(pa.compute.field("a") >= N - 3).sort_by("b"),
             got.combine_chunks())
        config = QueryConfig(num_sub_splits=2, limit_rows_per_sub_split=100)
        got = t.select(columns=["a", "b"], predicate=t["b"] >= 0, config=config).read_all()
        c.ok("projection: paged by its cursors, every row once", list(range(N)), sorted(got["a"].to_pylist()))
        t.projection("p1").rename("p_new")
        t.projection("p2").drop()
        c.ok("projections: renamed, dropped", ["p_new"], [p.name for p in t.projections()])
        try:
            t.projection("p2")
            got = "found"
        except errors.MissingProjection:
            got = "MissingProjection"
        c.ok("projection: a dropped one is missing", "MissingProjection", got)


def outside_transaction_checks(c, session, bucket_name, schema_name):
    api = session.api  # the SDK's calls, txid=0 by default
    columns = pa.schema([("k", pa.int64()), ("v", pa.utf8())])
    api.create_table(bucket_name, schema_name, "no_tx", columns)
    names = [t.name for t in api.list_tables(bucket_name, schema_name)[2]]
    c.ok("outside a transaction: created table listed", True, "no_tx" in names)
    batch = pa.record_batch([pa.array([1, 2], pa.int64()), pa.array(["x", "y"])], schema=columns)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, columns) as w:
        w.write_batch(batch)
    api.insert_rows(bucket_name, schema_name, "no_tx", sink.getvalue().to_pybytes())
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).table("no_tx")
        got = sorted(t.select().read_all().to_pylist(), key=lambda r: r["k"])
        c.ok("outside a transaction: inserted rows committed", [{"k": 1, "v": "x"}, {"k": 2, "v": "y"}], got)
        t.drop()


def failure_frame_check(c, session, bucket_name, schema_name, fail_table):
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).create_table(fail_table, pa.schema([("k", pa.int64())]))
        try:
            t.select().read_all()
            got = "answered"
        except QueryDataInternalError as e:
            # 2.1.0 reads the error code after the marker (and refuses a non-zero length); older
            # releases read the marker alone and raise with no message.
            reads_code = tuple(int(x) for x in vastdb.version().split(".")[:2]) >= (2, 1)
            got = "error_code=5" in str(e) if reads_code else str(e) == ""
        c.ok("failure frame: the SDK raises QueryDataInternalError as for VAST's", True, got)
        t.drop()
