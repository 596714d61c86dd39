"""QueryData response variants for the differential test of the engine's parser (parser.fuzz.test.ts).

Writes, for a seed and a count, response bodies framed as VAST frames them (per stream id and per
batch one Arrow IPC stream per column, each message in a frame of u32 stream id and u64
next_row_id; keep-alive, completion and failure markers), varied the ways VAST's clients must
tolerate: several record batches per column, zero-row batches, schema-only column streams, streams
interleaved, keep-alives anywhere, bytes after the completion frame, no completion frame, failure
frames (the marker alone, or with its u64 code and u32 length as vastdb 2.1 and the Java client read
them), timestamp columns answered in another unit or zone. Some are broken on purpose (cut short,
columns of unequal length, a column of another layout, an extra column, a stream that does not
start with a schema, a column stream left open). Each body is given to the SDK's own parser,
`parse_query_data_response`, and what it returned (batches, or the exception and the batches before
it) is recorded beside the body.

    python sdk_parse_fuzz.py --seed 46 --count 400 --out variants.json

Runs in the oracles' venv (scripts/oracles-venv.sh: vastdb, pyarrow); no VAST cluster needed.
"""

import argparse
import io
import json
import random
import struct
import sys

import pyarrow as pa
import vastdb
from vastdb import _internal

KEEP_ALIVE = 0xFFFFFFFF
COMPLETED = 0xFFFFFFFE
FAILED = 0xFFFFFFFD
DONE = (1 << 48) - 1
EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"

WIRE = {
    "int64": pa.int64(),
    "int32": pa.int32(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "utf8": pa.utf8(),
    "timestamp_us": pa.timestamp("us"),
    "uint64": pa.uint64(),
}
OTHER_TIMESTAMPS = [pa.timestamp("ns"), pa.timestamp("ms"), pa.timestamp("s"), pa.timestamp("us", tz="UTC"),
                    pa.timestamp("ns", tz="Europe/London")]
TEXT = ["", "a", "flow-1", "ü", "東京", "✓ done", "x" * 40, "\u00e9t\u00e9", "tab\there", "emoji \U0001F3AC"]


def value(rng, wire_type):
    if wire_type == "int64" or wire_type == "timestamp_us":
        return rng.choice([0, 1, -1, 2**63 - 1, -(2**63), rng.randrange(-(2**62), 2**62)])
    if wire_type == "uint64":
        return rng.choice([0, 1, 2**64 - 1, rng.randrange(0, 2**48)])
    if wire_type == "int32":
        return rng.choice([0, -1, 2**31 - 1, -(2**31), rng.randrange(-1000, 1000)])
    if wire_type == "float64":
        return rng.choice([0.0, -0.0, 1.5, -2.25, 1e300, float("inf"), float("-inf"), float("nan"), rng.random()])
    if wire_type == "bool":
        return rng.random() < 0.5
    return rng.choice(TEXT) + str(rng.randrange(100))


def canon(wire_type, v):
    """A value as the test compares it: integers as decimal text, floats as their IEEE bits."""
    if v is None:
        return None
    if wire_type == "float64":
        return "f:" + struct.pack("<d", v).hex()
    if wire_type in ("bool", "utf8"):
        return v
    return str(v)


def messages(schema, chunks):
    """The encapsulated IPC messages of one stream: schema, one record batch per chunk, EOS."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        for arrays in chunks:
            writer.write_batch(pa.record_batch(arrays, schema=schema))
    reader = pa.ipc.MessageReader.open_stream(sink.getvalue())
    return [m.serialize().to_pybytes() for m in reader] + [EOS]


def frame(stream_id, next_row_id, message):
    return struct.pack("<LQ", stream_id, next_row_id) + message


def marker(stream_id):
    return struct.pack("<L", stream_id)


def split(rng, n):
    """Row counts of the record batches of a column of n rows: one, several, some of zero rows, or none."""
    if n == 0:
        return rng.choice([[], [0], [0, 0]])
    if rng.random() < 0.5:
        return [n]
    cuts = sorted(rng.randrange(0, n + 1) for _ in range(rng.randrange(1, 4)))
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    if rng.random() < 0.3:
        sizes.insert(rng.randrange(len(sizes) + 1), 0)
    return sizes


class Variant:
    def __init__(self, rng, index):
        self.rng = rng
        self.kinds = set()
        count_only = rng.random() < 0.1
        names = rng.sample(list(WIRE), rng.randrange(1, 5)) if not count_only else []
        self.fields = [{"name": f"c{i}_{t}", "type": t, "nullable": True} for i, t in enumerate(names)]
        if count_only:
            self.kinds.add("count")
        self.schema = pa.schema([pa.field(f["name"], WIRE[f["type"]]) for f in self.fields])
        self.index = index

    def column_frames(self, stream_id, next_row_id, rows, position, break_with=None):
        """The frames of the column stream of the field at `position` for one batch."""
        rng = self.rng
        f = self.fields[position]
        answer = WIRE[f["type"]]
        n = len(rows)
        values = [r[position] for r in rows]
        if f["type"] == "timestamp_us" and rng.random() < 0.4:
            answer = rng.choice(OTHER_TIMESTAMPS)
            self.kinds.add("timestamp of another unit or zone")
        extra = None
        if break_with == "layout":
            answer = pa.int64() if f["type"] == "utf8" else pa.utf8()
            values = [value(rng, "int64" if f["type"] == "utf8" else "utf8") for _ in range(n)]
        elif break_with == "length":
            values = values + [None]
        elif break_with == "extra column":
            extra = pa.field("extra", pa.int64())
        sizes = split(rng, len(values))
        if not sizes:
            self.kinds.add("schema-only column stream")
        if len(sizes) > 1:
            self.kinds.add("several record batches per column")
        if 0 in sizes and len(values) > 0:
            self.kinds.add("zero-row record batch")
        fields = [pa.field(f["name"], answer)] + ([extra] if extra else [])
        chunks, at = [], 0
        for size in sizes:
            part = values[at:at + size]
            at += size
            arrays = [pa.array(part, type=answer)]
            if extra:
                arrays.append(pa.array([1] * size, type=pa.int64()))
            chunks.append(arrays)
        msgs = messages(pa.schema(fields), chunks)
        if break_with == "no schema":
            msgs = msgs[1:]
        if break_with == "no EOS":
            msgs = msgs[:-1]
        # The cursor rides on every frame; the SDK takes the one of the column's last frame.
        ids = [rng.choice([next_row_id, rng.randrange(0, 1000)]) for _ in msgs[:-1]] + [next_row_id]
        return [frame(stream_id, i, m) for i, m in zip(ids, msgs)]

    def count_frames(self, stream_id, next_row_id, n):
        """A count (empty projection): one column stream of no field whose batches carry the rows."""
        sizes = split(self.rng, n) or [0]
        chunks = [pa.record_batch([pa.array([0] * size)], names=["x"]).select([]) for size in sizes]
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, pa.schema([])) as writer:
            for batch in chunks:
                writer.write_batch(batch)
        reader = pa.ipc.MessageReader.open_stream(sink.getvalue())
        msgs = [m.serialize().to_pybytes() for m in reader] + [EOS]
        return [frame(stream_id, next_row_id, m) for m in msgs]

    def body(self):
        rng = self.rng
        stream_ids = rng.sample([0, 1, 2, 3, 7, 40], rng.randrange(1, 4))
        breaks = rng.random() < 0.25
        broken = None
        if breaks and self.fields:
            broken = rng.choice(["layout", "length", "extra column", "no schema", "no EOS"])
            if broken == "length" and len(self.fields) < 2:
                broken = "layout"
            self.kinds.add(f"broken: {broken}")
        per_stream = []
        for sid in stream_ids:
            frames = []
            cycles = rng.randrange(0, 4)
            for c in range(cycles):
                n = rng.choice([0, 0, 1, 2, 3, 5, 8, rng.randrange(9, 70)])
                last = c == cycles - 1
                next_row_id = DONE if last and rng.random() < 0.7 else rng.randrange(0, 2**40)
                if not self.fields:
                    frames += self.count_frames(sid, next_row_id, n)
                    continue
                rows = [[None if rng.random() < 0.15 else value(rng, f["type"]) for f in self.fields] for _ in range(n)]
                for p in range(len(self.fields)):
                    hit = broken if broken and p == len(self.fields) - 1 and rng.random() < 0.5 else None
                    if broken == "length" and p != len(self.fields) - 1:
                        hit = None
                    frames += self.column_frames(sid, next_row_id, rows, p, hit)
            per_stream.append(frames)
        if len(per_stream) > 1 and any(per_stream):
            self.kinds.add("interleaved streams")
        out = []
        while any(per_stream):
            live = [fs for fs in per_stream if fs]
            out.append(rng.choice(live).pop(0))
            if rng.random() < 0.05:
                out.append(marker(KEEP_ALIVE))
                self.kinds.add("keep-alive frames")
        body = b"".join(out)
        end = rng.choices(["completed", "none", "failed", "failed-2.0", "failed-length"], [6, 3, 1, 1, 0.5])[0]
        if end == "completed":
            body += marker(COMPLETED)
            if rng.random() < 0.3:
                body += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
                self.kinds.add("bytes after the completion frame")
        elif end == "none":
            self.kinds.add("no completion frame")
        elif end == "failed":
            body += marker(FAILED) + struct.pack("<QL", rng.randrange(1, 2**32), 0)
            self.kinds.add("failure frame (code, length 0)")
        elif end == "failed-2.0":
            body += marker(FAILED)
            self.kinds.add("failure frame (marker alone)")
        else:
            text = b"internal error"
            body += marker(FAILED) + struct.pack("<QL", 5, len(text)) + text
            self.kinds.add("failure frame (with a length)")
        if rng.random() < 0.12 and len(body) > 4:
            cut = rng.randrange(0, len(body))
            body = body[:cut]
            self.kinds.add("cut short")
            if rng.random() < 0.4:
                body += marker(COMPLETED)
                self.kinds.add("cut, then the completion frame")
        if not self.kinds:
            self.kinds.add("plain")
        return body


def sdk_reading(fields, schema, body):
    batches = []
    outcome = {"ok": True}
    try:
        for stream_id, next_row_id, table in _internal.parse_query_data_response(io.BytesIO(body), schema):
            columns = []
            for f, col in zip(fields, table.columns if fields else []):
                if f["type"] == "timestamp_us":
                    col = col.cast(pa.int64())
                columns.append([canon(f["type"], v) for v in col.to_pylist()])
            batches.append({"streamId": stream_id, "nextRowId": str(next_row_id), "numRows": table.num_rows,
                            "columns": columns})
    except Exception as e:  # noqa: BLE001 - every refusal of the SDK is a refusal the engine must make
        outcome = {"ok": False, "error": type(e).__name__, "message": str(e)[:200]}
    outcome["batches"] = batches
    return outcome


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=46)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    variants = []
    for i in range(args.count):
        v = Variant(rng, i)
        body = v.body()
        variants.append({
            "index": i,
            "kinds": sorted(v.kinds),
            "fields": v.fields,
            "hex": body.hex(),
            "sdk": sdk_reading(v.fields, v.schema, body),
        })
    with open(args.out, "w") as out:
        json.dump({"sdk": vastdb.version(), "pyarrow": pa.__version__, "seed": args.seed, "variants": variants}, out)


if __name__ == "__main__":
    sys.exit(main())
