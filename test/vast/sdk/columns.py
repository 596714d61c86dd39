"""The table both SDK drivers create (record.py, sdk_against.py): one column per engine wire type."""

import pyarrow as pa

COLUMNS = pa.schema([
    pa.field("c_utf8", pa.utf8()),
    pa.field("c_int64", pa.int64()),
    pa.field("c_int32", pa.int32()),
    pa.field("c_float64", pa.float64()),
    pa.field("c_bool", pa.bool_()),
    pa.field("c_ts", pa.timestamp("us")),
])
