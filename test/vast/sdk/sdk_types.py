"""Every Arrow type VAST's SDK can create and read, driven through the SDK (sdk_against.py).

A table of the 27 types (the SDK's `get_field_type` less float16 and fixed-size binary, which
Ibis does not take), rows with nulls at every level, read back whole and by projection, each flat
type compared by a predicate, struct fields and a fixed-size list compared as the SDK's own tests
do (test_nested.py, test_fixed_list.py), nested cells updated by `$row_id`, and the types VAST
refuses refused. Expected answers come from pyarrow over the rows inserted.
"""

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.compute as pc
from vastdb import errors

VEC = pa.list_(pa.field("item", pa.float32(), nullable=False), 3)
TYPES = pa.schema([
    ("id", pa.int64()),
    ("i8", pa.int8()), ("i16", pa.int16()), ("i32", pa.int32()),
    ("u8", pa.uint8()), ("u16", pa.uint16()), ("u32", pa.uint32()), ("u64", pa.uint64()),
    ("f32", pa.float32()), ("f64", pa.float64()), ("s", pa.string()), ("b", pa.bool_()),
    ("bin", pa.binary()), ("d", pa.decimal128(7, 3)), ("date", pa.date32()),
    ("ts0", pa.timestamp("s")), ("ts3", pa.timestamp("ms")), ("ts6", pa.timestamp("us")),
    ("ts9", pa.timestamp("ns")),
    ("t0", pa.time32("s")), ("t3", pa.time32("ms")), ("t6", pa.time64("us")), ("t9", pa.time64("ns")),
    ("l", pa.list_(pa.int32())),
    ("st", pa.struct([("x", pa.int16()), ("q", pa.struct([("q1", pa.utf8()), ("q2", pa.float32())]))])),
    ("m", pa.map_(pa.utf8(), pa.float64())),
    ("vec", VEC),
])
D = decimal.Decimal
ROWS = [
    dict(id=1, i8=-128, i16=1999, i32=-5, u8=255, u16=65535, u32=2 ** 32 - 1, u64=2 ** 64 - 1, f32=0.5,
         f64=1e300, s="Ωmega", b=True, bin=b"\x00\xff", d=D("2.5"), date=dt.date(2024, 4, 10),
         ts0=dt.datetime(2024, 1, 1, 12), ts3=dt.datetime(2024, 1, 1, 0, 0, 0, 1000),
         ts6=dt.datetime(1969, 12, 31, 23, 59, 59, 999999), ts9=dt.datetime(2024, 1, 1, 0, 0, 0, 7),
         t0=dt.time(1, 2, 3), t3=dt.time(1, 2, 3, 4000), t6=dt.time(1, 2, 3, 5), t9=dt.time(23, 59, 59, 999999),
         l=[1, None, 3], st={"x": 1, "q": {"q1": "AAA", "q2": 1.0}}, m=[("a", 2.5), ("b", None)],
         vec=[1.0, 2.0, 3.0]),
    dict(id=2),
    dict(id=3, i8=7, i16=-1, i32=0, u8=0, u16=1, u32=0, u64=0, f32=1.5, f64=-0.0, s="", b=False, bin=b"",
         d=D("-1234.567"), date=dt.date(1970, 1, 1), ts0=dt.datetime(1970, 1, 1), ts3=dt.datetime(2100, 1, 1),
         ts6=dt.datetime(2024, 1, 1), ts9=dt.datetime(1970, 1, 1), t0=dt.time(0), t3=dt.time(0), t6=dt.time(0),
         t9=dt.time(0), l=[], st={"x": None, "q": None}, m=[], vec=[0.0, 0.0, 0.5]),
    dict(id=4, i8=7, s="B", d=D("0.25"), st={"x": 2, "q": {"q1": "B", "q2": 2.0}}, vec=[1.0, 2.0, 4.0],
         l=None, m=[("c", 0.025)]),
]
# One value per flat column, compared for equality (and order, where the type has one). Ibis
# turns a comparison with an integer beyond int64 into False: u64 is compared with 0.
EQUAL = dict(i8=7, i16=1999, i32=-5, u8=255, u16=65535, u32=2 ** 32 - 1, u64=0, f32=1.5, f64=1e300,
             s="Ωmega", b=False, bin=b"\x00\xff", d=2.5, date=dt.date(2024, 4, 10), ts0=dt.datetime(2024, 1, 1, 12),
             ts3=dt.datetime(2024, 1, 1, 0, 0, 0, 1000), ts6=dt.datetime(2024, 1, 1),
             ts9=dt.datetime(2024, 1, 1, 0, 0, 0, 7), t0=dt.time(1, 2, 3), t3=dt.time(1, 2, 3, 4000),
             t6=dt.time(1, 2, 3, 5), t9=dt.time(0))
ORDERED = ["i8", "i16", "i32", "u16", "f32", "d", "date", "ts0", "ts9", "t3", "t6", "s"]


def _scalar(name, value):
    # The SDK sends a decimal literal as int(float(value) * 10 ** scale): floats in predicates.
    return pa.scalar(D(str(value)) if name == "d" else value, TYPES.field(name).type)


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by("id").combine_chunks()


def types_checks(c, session, bucket_name, schema_name):
    expected = pa.Table.from_pylist(ROWS, schema=TYPES)
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).create_table("all_types", TYPES)
        c.ok("27 types: columns as created", TYPES, t.columns())
        ids = t.insert(expected).to_pylist()
    with session.transaction() as tx:
        t = tx.bucket(bucket_name).schema(schema_name).table("all_types")
        c.ok("27 types: every cell read back", expected, _sorted(t.select().read_all()))
        cols = ["m", "id", "st", "vec"]
        c.ok("27 types: nested columns projected", expected.select(cols), _sorted(t.select(columns=cols).read_all()))
        for name, value in EQUAL.items():
            want = expected.filter(pc.field(name) == _scalar(name, value))
            got = t.select(columns=["id", name], predicate=t[name] == value).read_all()
            c.ok(f"27 types: {name} ==", want.select(["id", name]), _sorted(got))
        for name in ORDERED:
            want = expected.filter(pc.field(name) >= _scalar(name, EQUAL[name])).select(["id"])
            c.ok(f"27 types: {name} >=", want, _sorted(t.select(columns=["id"], predicate=t[name] >= EQUAL[name]).read_all()))
        nested_checks(c, t, expected)
        row_id = dict(zip([r["id"] for r in ROWS], ids))[3]
        t.update(pa.table({"$row_id": pa.array([row_id], pa.uint64()),
                           "d": pa.array([D("9.125")], TYPES.field("d").type),
                           "st": pa.array([{"x": 9, "q": {"q1": "Z", "q2": None}}], TYPES.field("st").type),
                           "m": pa.array([[("z", 1.0)]], TYPES.field("m").type)}))
        got = t.select(columns=["id", "d", "st", "m"], predicate=t["id"] == 3).read_all().to_pylist()
        c.ok("27 types: decimal, struct and map updated by $row_id",
             [{"id": 3, "d": D("9.125"), "st": {"x": 9, "q": {"q1": "Z", "q2": None}}, "m": [("z", 1.0)]}], got)
        t.drop()
    refused_checks(c, session, bucket_name, schema_name)


def nested_checks(c, t, expected):
    def ids(predicate):
        return sorted(t.select(columns=["id"], predicate=predicate).read_all()["id"].to_pylist())

    c.ok("struct field ==", [1], ids(t["st"]["x"] == 1))
    c.ok("struct field is null", [2, 3], ids(t["st"]["x"].isnull()))
    c.ok("nested struct field <", [1], ids(t["st"]["q"]["q1"] < "B"))
    c.ok("nested struct field == float32", [4], ids(t["st"]["q"]["q2"] == 2.0))
    c.ok("struct fields or-ed", [1, 4], ids((t["st"]["x"] == 1) | (t["st"]["x"] == 2)))
    c.ok("fixed-size list ==", [1], ids(t["vec"] == [1.0, 2.0, 3.0]))
    c.ok("fixed-size list > (element by element)", [4], ids(t["vec"] > [1.0, 2.0, 3.0]))
    c.ok("fixed-size list != or null", [2, 3, 4], ids((t["vec"] != [1.0, 2.0, 3.0]) | t["vec"].isnull()))


def refused_checks(c, session, bucket_name, schema_name):
    for name, arrow_type in [("null", pa.null()), ("dictionary", pa.dictionary(pa.int32(), pa.string())),
                             ("large_string", pa.large_string()), ("date64", pa.date64()),
                             ("nullable fixed-size list element", pa.list_(pa.float32(), 2))]:
        try:
            with session.transaction() as tx:
                tx.bucket(bucket_name).schema(schema_name).create_table("refused", pa.schema([("u", arrow_type)]))
            got = "created"
        except errors.NotSupportedSchema:
            got = "NotSupportedSchema"
        c.ok(f"type refused as VAST refuses it: {name}", "NotSupportedSchema", got)
    try:
        with session.transaction() as tx:
            tx.bucket(bucket_name).schema(schema_name).create_table(
                "refused", pa.schema([("u", pa.list_(pa.field("item", pa.int64(), nullable=False), 0))]))
        got = "created"
    except errors.BadRequest as e:
        got = "TabularInvalidColumnTypeParam" if "TabularInvalidColumnTypeParam" in str(e) else str(e)
    c.ok("fixed-size list of 0 refused", "TabularInvalidColumnTypeParam", got)
