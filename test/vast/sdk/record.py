"""Records what VAST's official Python SDK sends for a fixed set of operations: test/vast/golden/.

Run from the oracles venv (`npm run vast:golden`). The SDK talks to the recording stub of
stub.py on loopback; each named operation's request is written to golden/<operation>.json, and
golden/index.json lists the operations, the SDK call behind each and the normalisation rules.
A rerun must leave the directory unchanged (`npm run vast:golden:check`).
"""

import base64
import datetime
import hashlib
import json
import logging
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

# The SDK orders the predicate-only columns of a QueryData request schema by iterating a Python
# set of column names, whose order follows the per-process string hash seed: fix the seed.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

import pyarrow as pa  # noqa: E402
import vastdb  # noqa: E402
from vastdb.config import QueryConfig  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from columns import COLUMNS  # noqa: E402
from stub import SERVER_HEADER, VastStub, normalise_authorization  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
BUCKET, SCHEMA, TABLE = "tams-golden", "golden_schema", "golden_table"
ACCESS, SECRET = "GOLDENACCESSKEY", "golden-secret-key"

ROWS = pa.table({
    "c_utf8": ["alpha", "Ωmega — ünïcödé ✓ 東京", None],
    "c_int64": [1, -9007199254740993, 2 ** 62],
    "c_int32": [10, -2147483648, None],
    "c_float64": [0.5, -1.25, None],
    "c_bool": [True, False, None],
    "c_ts": [datetime.datetime(2026, 1, 2, 3, 4, 5, 6), datetime.datetime(1970, 1, 1), None],
}, schema=COLUMNS)


def dump(doc) -> str:
    """JSON as Biome formats it (2 spaces; a [name, value] pair on one line when it fits)."""
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str)

    def pair(m):
        one = f"[{m.group(2)}, {m.group(3)}]"
        return m.group(1) + one if len(m.group(1)) + len(one) + 1 <= 110 else m.group(0)

    return re.sub(r'( *)\[\n *("(?:[^"\\]|\\.)*"),\n *("(?:[^"\\]|\\.)*"|null)\n *\]', pair, text) + "\n"


class Recorder:
    def __init__(self, stub: VastStub):
        self.stub = stub
        self.ops = []

    @contextmanager
    def capture(self, names, call, kinds, method=None, command=None):
        """Runs the block and keeps, in order, its requests of `method ?command` as `names`."""
        start = len(self.stub.recorded)
        yield
        reqs = [r for r in self.stub.recorded[start:]
                if (method is None or r.method == method)
                and (command is None or r.query.split("&")[0].split("=")[0] == command)]
        names = [names] if isinstance(names, str) else names
        kinds = [kinds] * len(names) if isinstance(kinds, str) else kinds
        if len(reqs) < len(names):
            raise SystemExit(f"record: {names}: expected {len(names)} requests, got {len(reqs)}")
        for name, kind, req in zip(names, kinds, reqs):
            self.write(name, call, kind, req)

    def write(self, name, call, kind, req):
        headers = []
        for k, v in req.headers:
            lk = k.lower()
            if lk == "x-amz-date":
                v = "<AMZ-DATE>"
            elif lk == "authorization":
                v = normalise_authorization(v)
            elif lk == "host":
                v = "127.0.0.1:<PORT>"
            headers.append([k, v])
        query = [[p.split("=", 1)[0], p.split("=", 1)[1] if "=" in p else None]
                 for p in req.query.split("&") if p]
        doc = {
            "operation": name,
            "sdk_call": call,
            "method": req.method,
            "path": req.path,
            "query": query,
            "raw_query": req.query,
            "headers": headers,
            "body_kind": kind,
            "body_length": len(req.body),
            "body_sha256": hashlib.sha256(req.body).hexdigest(),
            "body_base64": base64.b64encode(req.body).decode(),
        }
        (GOLDEN / f"{name}.json").write_text(dump(doc))
        self.ops.append({"operation": name, "file": f"{name}.json", "sdk_call": call,
                         "request": f"{req.method} {req.path}?{req.query}", "body_kind": kind})


def select_ops(rec: Recorder, t):
    """Each predicate operator on its column type, a projection, $row_id, a limit, paging."""
    cases = [
        ("select_projection", "t.select(columns=['c_utf8', 'c_int64'])",
         lambda: t.select(columns=["c_utf8", "c_int64"])),
        ("select_all_columns", "t.select()", lambda: t.select()),
        ("select_eq_utf8", "t.select(predicate=t['c_utf8'] == 'alpha')",
         lambda: t.select(predicate=t["c_utf8"] == "alpha")),
        ("select_ne_int64", "t.select(predicate=t['c_int64'] != 1)",
         lambda: t.select(predicate=t["c_int64"] != 1)),
        ("select_lt_int32", "t.select(predicate=t['c_int32'] < 0)",
         lambda: t.select(predicate=t["c_int32"] < 0)),
        ("select_le_float64", "t.select(predicate=t['c_float64'] <= 0.5)",
         lambda: t.select(predicate=t["c_float64"] <= 0.5)),
        ("select_gt_timestamp", "t.select(predicate=t['c_ts'] > datetime.datetime(2000, 1, 1))",
         lambda: t.select(predicate=t["c_ts"] > datetime.datetime(2000, 1, 1))),
        ("select_ge_int64", "t.select(predicate=t['c_int64'] >= 1)",
         lambda: t.select(predicate=t["c_int64"] >= 1)),
        ("select_eq_bool", "t.select(predicate=t['c_bool'] == True)",
         lambda: t.select(predicate=t["c_bool"] == True)),  # noqa: E712 (an ibis expression)
        ("select_isin_utf8", "t.select(predicate=t['c_utf8'].isin(['alpha', 'beta']))",
         lambda: t.select(predicate=t["c_utf8"].isin(["alpha", "beta"]))),
        ("select_isnull_float64", "t.select(predicate=t['c_float64'].isnull())",
         lambda: t.select(predicate=t["c_float64"].isnull())),
        ("select_notnull_float64", "t.select(predicate=~t['c_float64'].isnull())",
         lambda: t.select(predicate=~t["c_float64"].isnull())),
        ("select_startswith_utf8", "t.select(predicate=t['c_utf8'].startswith('Ωme'))",
         lambda: t.select(predicate=t["c_utf8"].startswith("Ωme"))),
        ("select_contains_utf8", "t.select(predicate=t['c_utf8'].contains('lph'))",
         lambda: t.select(predicate=t["c_utf8"].contains("lph"))),
        ("select_and_of_or_groups",
         "t.select(columns=['c_int32'], predicate=((t['c_int64'] == 1) | (t['c_int64'] == 2)) & "
         "((t['c_utf8'] == 'alpha') | t['c_utf8'].isnull()) & (t['c_ts'] >= datetime.datetime(2026, 1, 1)))",
         lambda: t.select(columns=["c_int32"],
                          predicate=((t["c_int64"] == 1) | (t["c_int64"] == 2))
                          & ((t["c_utf8"] == "alpha") | t["c_utf8"].isnull())
                          & (t["c_ts"] >= datetime.datetime(2026, 1, 1)))),
        ("select_row_id", "t.select(columns=['c_utf8'], predicate=t['c_int32'] < 0, internal_row_id=True)",
         lambda: t.select(columns=["c_utf8"], predicate=t["c_int32"] < 0, internal_row_id=True)),
        ("select_limit", "t.select(columns=['c_utf8'], limit_rows=2)",
         lambda: t.select(columns=["c_utf8"], limit_rows=2)),
    ]
    for name, call, run in cases:
        # only the first QueryData request: a select that stops early (limit) may race one more
        with rec.capture(name, call, "computeir-relation", "GET", "data"):
            run().read_all()
    call = "t.select(config=QueryConfig(num_sub_splits=1, limit_rows_per_sub_split=2))  # 3 rows: 2 pages"
    with rec.capture(["select_paged_first", "select_paged_next"], call, "computeir-relation", "GET", "data"):
        got = t.select(config=QueryConfig(num_sub_splits=1, limit_rows_per_sub_split=2)).read_all()
    if got.num_rows != 3:
        raise SystemExit(f"record: paged select returned {got.num_rows} rows, not 3")


def main():
    logging.disable(logging.CRITICAL)  # the SDK logs a warning per select, and tracebacks on rollback
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.json"):
        old.unlink()
    stub = VastStub(BUCKET)
    endpoint = stub.serve()
    rec = Recorder(stub)
    try:
        with rec.capture("version_probe", f"vastdb.connect(endpoint=..., access={ACCESS!r}, secret=...)",
                         "empty", "GET", "transaction"):
            session = vastdb.connect(endpoint=endpoint, access=ACCESS, secret=SECRET)
        tx = session.transaction()
        with rec.capture("begin_transaction", "session.transaction().__enter__()", "empty"):
            tx.__enter__()
        with rec.capture("keep_alive_transaction", "session.api.get_transaction(tx.txid)", "empty"):
            session.api.get_transaction(tx.txid)
        with rec.capture("head_bucket", f"tx.bucket({BUCKET!r})", "empty"):
            bucket = tx.bucket(BUCKET)
        with rec.capture(["list_schemas_exact", "create_schema"], f"bucket.create_schema({SCHEMA!r})",
                         ["empty", "flatbuffers:CreateSchemaRequest"], command="schema"):
            schema = bucket.create_schema(SCHEMA)
        with rec.capture("list_schemas", "bucket.schemas()", "empty"):
            bucket.schemas()
        with rec.capture("create_table", f"schema.create_table({TABLE!r}, COLUMNS)",
                         "arrow-ipc-schema-message", "POST", "table"):
            t = schema.create_table(TABLE, COLUMNS)
        with rec.capture("list_tables_exact", f"schema.table({TABLE!r})", "empty", "GET", "table"):
            t = schema.table(TABLE)
        with rec.capture("list_tables", "schema.tables()", "empty", "GET", "table"):
            schema.tables()
        with rec.capture("table_stats", "t.get_stats()", "empty"):
            t.get_stats()
        with rec.capture("list_columns", "t.reload_schema()", "empty"):
            t.reload_schema()
        with rec.capture("insert_rows", "t.insert(ROWS)  # 3 rows, nulls and non-ASCII text",
                         "arrow-ipc-stream", "POST", "rows"):
            row_ids = t.insert(ROWS).to_pylist()
        if row_ids != [1000, 1001, 1002]:
            raise SystemExit(f"record: unexpected row ids {row_ids}")
        select_ops(rec, t)
        update = pa.table({"$row_id": pa.array([1002, 1000], pa.uint64()),
                           "c_utf8": ["third", "first"], "c_int64": [3, None]})
        with rec.capture("update_rows", "t.update(pa.table({'$row_id': [1002, 1000], 'c_utf8': "
                         "['third', 'first'], 'c_int64': [3, None]}))  # unsorted ids", "arrow-ipc-stream"):
            t.update(update)
        with rec.capture("delete_rows", "t.delete(pa.table({'$row_id': [1001, 1000]}))  # unsorted ids",
                         "arrow-ipc-stream"):
            t.delete(pa.table({"$row_id": pa.array([1001, 1000], pa.uint64())}))
        with rec.capture("add_column", "t.add_column(pa.schema([('c_extra', pa.utf8())]))",
                         "arrow-ipc-schema-message", "POST", "column"):
            t.add_column(pa.schema([pa.field("c_extra", pa.utf8())]))
        with rec.capture("drop_table", "t.drop()", "empty"):
            t.drop()
        with rec.capture("drop_schema", "schema.drop()", "empty"):
            schema.drop()
        with rec.capture("commit_transaction", "tx.__exit__(None, None, None)", "empty"):
            tx.__exit__(None, None, None)
        tx2 = session.transaction()
        tx2.__enter__()
        with rec.capture("rollback_transaction", "tx.__exit__(RuntimeError, RuntimeError(...), None)", "empty"):
            tx2.__exit__(RuntimeError, RuntimeError("roll back"), None)
    finally:
        stub.close()
    index = {
        "sdk": "vastdb",
        "sdk_version": vastdb.version(),
        "pyarrow_version": pa.__version__,
        "recorded_by": "test/vast/sdk/record.py (npm run vast:golden)",
        "stub_server_header": SERVER_HEADER,
        "credentials": {"access": ACCESS, "secret": SECRET},
        "bucket": BUCKET, "schema": SCHEMA, "table": TABLE,
        "table_columns": [f"{f.name}: {f.type}" for f in COLUMNS],
        "inserted_rows": ROWS.to_pylist(),
        "stub_ids": "transaction ids from 81985529216486656 (0x0123456789ABCD00) upwards; row ids 1000, 1001, 1002",
        "normalisation": {
            "x-amz-date": "replaced by <AMZ-DATE>",
            "Authorization": "the date of the Credential scope replaced by <DATE>, the Signature by <SIGNATURE>; "
                             "the rest (access key, empty region, service s3, SignedHeaders) kept",
            "Host": "replaced by 127.0.0.1:<PORT> (the stub listens on an ephemeral port)",
            "everything else": "as sent: tabular-txid is the stub's fixed id, x-amz-content-sha256 the body's hash",
        },
        "file_fields": "method, path, query ([name, value|null] in sent order), raw_query, headers ([name, value] "
                       "in sent order), body_kind, body_length, body_sha256, body_base64",
        "python_hash_seed": "0 (the SDK orders predicate-only columns by iterating a set)",
        "operations": rec.ops,
    }
    (GOLDEN / "index.json").write_text(dump(index))
    print(f"record: {len(rec.ops)} operations written to {GOLDEN}")


if __name__ == "__main__":
    main()
