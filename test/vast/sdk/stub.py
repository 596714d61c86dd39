"""A small VAST tabular HTTP stub that answers just enough for the official `vastdb` SDK to go on.

A test tool (run from .venv-oracles), never part of the server. It keeps tables in memory (Arrow
tables with a `$row_id` column), applies a transaction's changes on commit and drops them on
rollback, evaluates the SDK's ComputeIR predicates, and answers QueryData with the framing of
PROTOCOL.md §1.8, paging by `tabular-limit-rows` on sub-split 0. It records every request it
receives (method, path, raw query, headers in arrival order, body) for the golden recorder.

Deterministic on purpose: transaction ids and row ids come from fixed counters, so the same SDK
calls in the same order get the same answers.
"""

import re
import struct
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import flatbuffers
import pyarrow as pa
import pyarrow.compute as pc
from vastdb.vast_flatbuf.org.apache.arrow.computeir.flatbuf import (
    BooleanLiteral, Call, Expression, FieldIndex, FieldRef, Float64Literal, Int32Literal,
    Int64Literal, Literal, Relation, Source, StringLiteral, TimestampLiteral, UInt64Literal)
from vastdb.vast_flatbuf.org.apache.arrow.computeir.flatbuf.ExpressionImpl import ExpressionImpl
from vastdb.vast_flatbuf.org.apache.arrow.computeir.flatbuf.LiteralImpl import LiteralImpl
from vastdb.vast_flatbuf.tabular import (
    GetTableStatsResponse, ListSchemasResponse, ListTablesResponse, ObjectDetails)

# 5.1+ so that insert returns row ids, below 5.4 so that timestamps carry no time zone.
SERVER_HEADER = "vast 5.3.0.0"
# Above 2^53 on purpose: a JavaScript client must carry txids as bigint / decimal strings.
FIRST_TXID = 0x0123_4567_89AB_CD00
FIRST_ROW_ID = 1000
INVALID_ROW_ID = (1 << 48) - 1
QUERY_COMPLETED = 0xFFFFFFFE
ROW_ID = "$row_id"
EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: list
    body: bytes


@dataclass
class TableState:
    schema: pa.Schema
    rows: pa.Table  # the table's columns plus `$row_id` (uint64) last


@dataclass
class Catalog:
    schemas: dict = field(default_factory=dict)  # schema name -> {table name -> TableState}

    def copy(self):
        return Catalog({s: dict(tables) for s, tables in self.schemas.items()})


class VastStub:
    """The stub's state; `serve()` starts it on loopback in a daemon thread."""

    def __init__(self, bucket: str):
        self.bucket = bucket
        self.lock = threading.Lock()
        self.committed = Catalog()
        self.tx = {}  # txid -> Catalog (the transaction's own copy)
        self.next_txid = FIRST_TXID
        self.next_row_id = FIRST_ROW_ID
        self.recorded: list[Recorded] = []
        self.server = None

    def serve(self, port: int = 0) -> str:
        stub = self

        class Handler(_Handler):
            state = stub

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def catalog(self, headers) -> Catalog:
        txid = int(headers.get("tabular-txid", "0") or 0)
        return self.tx.get(txid, self.committed)


class StubError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: VastStub

    def version_string(self):
        return SERVER_HEADER

    def log_message(self, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        parsed = urllib.parse.urlsplit(self.path)
        st = self.state
        with st.lock:
            st.recorded.append(Recorded(self.command, parsed.path, parsed.query, list(self.headers.items()), body))
            try:
                status, headers, payload = _route(st, self.command, parsed.path, parsed.query, self.headers, body)
            except StubError as e:
                status, headers = e.status, {"Content-Type": "application/xml"}
                payload = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{e.code}</Code>"
                           f"<Message>{e.message}</Message></Error>").encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


def _route(st: VastStub, method, path, query, headers, body):
    params = [p.split("=", 1)[0] for p in query.split("&") if p]
    command = params[0] if params else ""
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/") if p]
    if command == "transaction":
        return _transaction(st, method, headers)
    if parts and parts[0] != st.bucket:
        raise StubError(404, "NoSuchBucket", f"no bucket {parts[0]}")
    if method == "HEAD" and len(parts) == 1:
        return 200, {}, b""
    cat = st.catalog(headers)
    if command == "schema":
        return _schema(st, cat, method, parts[1:], headers, body)
    if command == "table" and len(parts) == 2:
        return _list_tables(st, cat, parts[1], headers)
    if len(parts) != 3:
        raise StubError(400, "BadRequest", f"unexpected path {path}")
    schema_name, table_name = parts[1], parts[2]
    tables = cat.schemas.get(schema_name)
    if tables is None:
        raise StubError(404, "NoSuchSchema", f"no schema {schema_name}")
    if command == "table" and method == "POST":
        if table_name in tables:
            raise StubError(409, "TableAlreadyExists", table_name)
        schema = pa.ipc.read_schema(pa.py_buffer(body))
        tables[table_name] = TableState(schema, _empty_rows(schema))
        return 200, {}, b""
    t = tables.get(table_name)
    if t is None:
        raise StubError(404, "NoSuchTable", f"no table {table_name}")
    if command == "table" and method == "DELETE":
        del tables[table_name]
        return 200, {}, b""
    if command == "stats":
        return 200, {}, _stats(t)
    if command == "sorted-columns":  # vastdb 2.1.0 opens a table with it; VAST: 400 unless sorted
        raise StubError(400, "BadRequest", f"Listing sorted columns of {table_name} without elysium enabled")
    if command == "column" and method == "GET":
        sink = pa.BufferOutputStream()
        pa.ipc.new_stream(sink, t.schema).close()
        return 200, _list_headers(len(t.schema)), sink.getvalue().to_pybytes()
    if command == "column" and method == "POST":
        added = pa.ipc.read_schema(pa.py_buffer(body))
        schema = pa.schema(list(t.schema) + list(added))
        rows = t.rows
        for f in added:
            rows = rows.add_column(rows.num_columns - 1, f, pa.nulls(rows.num_rows, f.type))
        tables[table_name] = TableState(schema, rows)
        return 200, {}, b""
    if command == "rows":
        return _rows(st, tables, table_name, t, method, body)
    if command == "data" and method == "GET":
        return 200, {}, _query(t, headers, body)
    raise StubError(501, "NotImplemented", f"{method} ?{command}")


def _transaction(st: VastStub, method, headers):
    txid = int(headers.get("tabular-txid", "0") or 0)
    if method == "POST":
        txid = st.next_txid
        st.next_txid += 1
        st.tx[txid] = st.committed.copy()
        return 200, {"tabular-txid": str(txid)}, b""
    if method == "GET":  # version probe (no txid) or keep-alive
        if txid and txid not in st.tx:
            raise StubError(404, "NoSuchTransaction", str(txid))
        return 200, {}, b""
    if txid not in st.tx:
        raise StubError(404, "NoSuchTransaction", str(txid))
    cat = st.tx.pop(txid)
    if method == "PUT":
        st.committed = cat
    return 200, {}, b""


def _list_headers(count: int):
    return {"tabular-next-key": "0", "tabular-is-truncated": "false", "tabular-list-count": str(count)}


def _name_filter(headers, names):
    if "tabular-name-exact-match" in headers:
        return [n for n in names if n == headers["tabular-name-exact-match"]]
    prefix = headers.get("tabular-name-prefix", "")
    return [n for n in names if n.startswith(prefix)]


def _schema(st, cat, method, parts, headers, body):
    name = "/".join(parts)
    if method == "POST":
        if name in cat.schemas:
            raise StubError(409, "SchemaAlreadyExists", name)
        cat.schemas[name] = {}
        return 200, {}, b""
    if method == "DELETE":
        if cat.schemas.pop(name, None) is None:
            raise StubError(404, "NoSuchSchema", name)
        return 200, {}, b""
    names = sorted(_name_filter(headers, [s for s in cat.schemas if "/" not in s]))
    b = flatbuffers.Builder(256)
    items = []
    for n in names:
        n_off, p_off = b.CreateString(n), b.CreateString("")
        ObjectDetails.Start(b)
        ObjectDetails.AddName(b, n_off)
        ObjectDetails.AddProperties(b, p_off)
        items.append(ObjectDetails.End(b))
    vec = _vector(b, ListSchemasResponse.StartSchemasVector, items)
    bucket = b.CreateString(st.bucket)
    ListSchemasResponse.Start(b)
    ListSchemasResponse.AddBucketName(b, bucket)
    ListSchemasResponse.AddSchemas(b, vec)
    b.Finish(ListSchemasResponse.End(b))
    return 200, _list_headers(len(names)), bytes(b.Output())


def _list_tables(st, cat, schema_name, headers):
    tables = cat.schemas.get(schema_name)
    if tables is None:
        raise StubError(404, "NoSuchSchema", schema_name)
    names = sorted(_name_filter(headers, list(tables)))
    b = flatbuffers.Builder(256)
    items = []
    for i, n in enumerate(names):
        n_off, p_off, h_off = b.CreateString(n), b.CreateString(""), b.CreateString(str(100 + i))
        ObjectDetails.Start(b)
        ObjectDetails.AddName(b, n_off)
        ObjectDetails.AddProperties(b, p_off)
        ObjectDetails.AddHandle(b, h_off)
        ObjectDetails.AddNumRows(b, tables[n].rows.num_rows)
        items.append(ObjectDetails.End(b))
    vec = _vector(b, ListTablesResponse.StartTablesVector, items)
    bucket, schema = b.CreateString(st.bucket), b.CreateString(schema_name)
    ListTablesResponse.Start(b)
    ListTablesResponse.AddBucketName(b, bucket)
    ListTablesResponse.AddSchemaName(b, schema)
    ListTablesResponse.AddTables(b, vec)
    b.Finish(ListTablesResponse.End(b))
    return 200, _list_headers(len(names)), bytes(b.Output())


def _stats(t: TableState) -> bytes:
    b = flatbuffers.Builder(64)
    GetTableStatsResponse.Start(b)
    GetTableStatsResponse.AddNumRows(b, t.rows.num_rows)
    GetTableStatsResponse.AddSizeInBytes(b, t.rows.nbytes)
    b.Finish(GetTableStatsResponse.End(b))
    return bytes(b.Output())


def _vector(b, start, items):
    start(b, len(items))
    for off in reversed(items):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _empty_rows(schema: pa.Schema) -> pa.Table:
    return pa.schema(list(schema) + [pa.field(ROW_ID, pa.uint64())]).empty_table()


def _rows(st, tables, table_name, t: TableState, method, body):
    batch = pa.ipc.open_stream(body).read_all()
    if method == "POST":
        ids = pa.array(range(st.next_row_id, st.next_row_id + batch.num_rows), pa.uint64())
        st.next_row_id += batch.num_rows
        cols = {f.name: (batch[f.name] if f.name in batch.column_names else pa.nulls(batch.num_rows, f.type))
                for f in t.schema}
        new = pa.table(cols | {ROW_ID: ids}, schema=t.rows.schema)
        tables[table_name] = TableState(t.schema, pa.concat_tables([t.rows, new]).combine_chunks())
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, pa.schema([pa.field(ROW_ID, pa.uint64())])) as w:
            w.write_batch(pa.record_batch([ids], names=[ROW_ID]))
        return 200, {}, sink.getvalue().to_pybytes()
    if batch.column_names[0] != ROW_ID:
        raise StubError(400, "BadRequest", "first column must be $row_id")
    ids = batch[ROW_ID].to_pylist()
    known = set(t.rows[ROW_ID].to_pylist())
    if any(i not in known for i in ids):
        raise StubError(400, "BadRequest", "unknown $row_id")
    mask = pc.is_in(t.rows[ROW_ID], value_set=pa.array(ids, pa.uint64()))
    if method == "DELETE":
        rows = t.rows.filter(pc.invert(mask))
    else:  # PUT: replace the named columns' cells of the given rows
        pos = {rid: i for i, rid in enumerate(ids)}
        rows = t.rows
        all_ids = rows[ROW_ID].to_pylist()
        for name in batch.column_names[1:]:
            old, new = rows[name].to_pylist(), batch[name].to_pylist()
            merged = [new[pos[rid]] if rid in pos else v for rid, v in zip(all_ids, old)]
            rows = rows.set_column(rows.schema.get_field_index(name), rows.schema.field(name),
                                   pa.array(merged, rows.schema.field(name).type))
    tables[table_name] = TableState(t.schema, rows)
    return 200, {}, b""


# --- QueryData ------------------------------------------------------------------------------

def _literal(lit: Literal.Literal):
    kind, tab = lit.ImplType(), lit.Impl()
    classes = {LiteralImpl.BooleanLiteral: BooleanLiteral.BooleanLiteral,
               LiteralImpl.Int32Literal: Int32Literal.Int32Literal,
               LiteralImpl.Int64Literal: Int64Literal.Int64Literal,
               LiteralImpl.UInt64Literal: UInt64Literal.UInt64Literal,
               LiteralImpl.Float64Literal: Float64Literal.Float64Literal,
               LiteralImpl.TimestampLiteral: TimestampLiteral.TimestampLiteral,
               LiteralImpl.StringLiteral: StringLiteral.StringLiteral}
    if kind not in classes:
        raise StubError(501, "NotImplemented", f"literal kind {kind}")
    obj = classes[kind]()
    obj.Init(tab.Bytes, tab.Pos)
    return obj.Value()  # strings come back as bytes, compared with the cells' UTF-8


def _eval(expr: Expression.Expression, row: list):
    kind = expr.ImplType()
    tab = expr.Impl()
    if kind == ExpressionImpl.Literal:
        lit = Literal.Literal()
        lit.Init(tab.Bytes, tab.Pos)
        return _literal(lit)
    if kind == ExpressionImpl.FieldRef:
        ref = FieldRef.FieldRef()
        ref.Init(tab.Bytes, tab.Pos)
        idx = FieldIndex.FieldIndex()
        idx.Init(ref.Ref().Bytes, ref.Ref().Pos)
        return row[idx.Position()]
    if kind != ExpressionImpl.Call:
        raise StubError(501, "NotImplemented", f"expression kind {kind}")
    call = Call.Call()
    call.Init(tab.Bytes, tab.Pos)
    name = call.Name().decode()
    args = [call.Arguments(i) for i in range(call.ArgumentsLength())]
    if name == "and":
        return all(_eval(a, row) for a in args)
    if name == "or":
        return any(_eval(a, row) for a in args)
    vals = [_eval(a, row) for a in args]
    if name == "is_null":
        return vals[0] is None
    if name == "is_valid":
        return vals[0] is not None
    if vals[0] is None:
        return False
    ops = {"equal": lambda a, b: a == b, "not_equal": lambda a, b: a != b, "less": lambda a, b: a < b,
           "less_equal": lambda a, b: a <= b, "greater": lambda a, b: a > b,
           "greater_equal": lambda a, b: a >= b, "match_substring": lambda a, b: b in a}
    if name not in ops:
        raise StubError(501, "NotImplemented", f"function {name}")
    return ops[name](vals[0], vals[1])


def _is_empty_and(expr: Expression.Expression) -> bool:
    if expr.ImplType() != ExpressionImpl.Call:
        return False
    call = Call.Call()
    call.Init(expr.Impl().Bytes, expr.Impl().Pos)
    return call.Name() == b"and" and call.ArgumentsLength() == 0


def _cells(col: pa.ChunkedArray) -> list:
    """Cells as the predicate compares them: strings as UTF-8 bytes, timestamps as integers."""
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    vals = col.to_pylist()
    if pa.types.is_string(col.type):
        vals = [v.encode() if v is not None else None for v in vals]
    return vals


def _frame(stream_id: int, next_row_id: int, message: bytes) -> bytes:
    return struct.pack("<LQ", stream_id, next_row_id) + message


def _query(t: TableState, headers, body: bytes) -> bytes:
    rel = Relation.Relation.GetRootAs(body, 0)
    src = Source.Source()
    src.Init(rel.Impl().Bytes, rel.Impl().Pos)
    req_schema = src.Schema()
    names = [req_schema.Fields(i).Name().decode() for i in range(req_schema.FieldsLength())]
    projection = [names[src.Projection(i).Position()] for i in range(src.ProjectionLength())]
    missing = [n for n in names if n not in t.rows.column_names]
    if missing:
        raise StubError(400, "BadRequest", f"unknown columns {missing}")
    cells = [] if _is_empty_and(src.Filter()) else [_cells(t.rows[n]) for n in names]
    row_ids = t.rows[ROW_ID].to_pylist()
    flt = src.Filter()
    if _is_empty_and(flt):  # no predicate: skip the per-row evaluation (paging tests use 300k rows)
        keep = list(range(t.rows.num_rows))
    else:
        keep = [i for i in range(t.rows.num_rows) if _eval(flt, [c[i] for c in cells])]
    limit = int(headers.get("tabular-limit-rows", "0") or 0) or len(keep) or 1
    subsplits = int(headers.get("tabular-num-of-subsplits", "1"))
    out = bytearray()
    for sub in range(subsplits):
        start = int(headers.get(f"tabular-start-row-id-{sub}", f"{sub},0").split(",")[1])
        if start == INVALID_ROW_ID:
            continue  # finished on an earlier page: nothing more for it
        # all rows live in sub-split 0; the others finish at once, empty
        page = [i for i in keep if row_ids[i] >= start][:limit] if sub == 0 else []
        rest = [i for i in keep if row_ids[i] >= start][limit:] if sub == 0 else []
        next_id = row_ids[rest[0]] if rest else INVALID_ROW_ID
        chosen = t.rows.take(pa.array(page, pa.int64()))
        # response columns in request-schema order, each its own IPC stream
        for name in [n for n in names if n in projection]:
            col = chosen[name].combine_chunks() if chosen.num_rows else pa.array([], chosen[name].type)
            f = t.rows.schema.field(name)
            one = pa.schema([f])
            out += _frame(sub, next_id, one.serialize().to_pybytes())
            out += _frame(sub, next_id, pa.record_batch([col], schema=one).serialize().to_pybytes())
            out += _frame(sub, next_id, EOS)
    out += struct.pack("<L", QUERY_COMPLETED)
    return bytes(out)


def normalise_authorization(value: str) -> str:
    value = re.sub(r"(Credential=[^/]+/)\d{8}/", r"\1<DATE>/", value)
    return re.sub(r"Signature=[0-9a-f]+", "Signature=<SIGNATURE>", value)
