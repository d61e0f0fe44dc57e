"""Writes the Parquet fixtures of parquet.test.ts: one small table, once per compression codec,
written by pyarrow (an independent writer; hyparquet-writer only does uncompressed and snappy).

Run from this folder with a Python that has pyarrow, e.g.
    python3 -m venv --system-site-packages /tmp/pa && /tmp/pa/bin/pip install pyarrow
    /tmp/pa/bin/python make-parquet-codecs.py
The test rebuilds the same table in TypeScript and compares every cell.
"""

import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 2000
table = pa.table(
    {
        "x": pa.array([i * 0.5 - 300.25 for i in range(ROWS)], type=pa.float64()),
        "f": pa.array([(i % 97) / 8 for i in range(ROWS)], type=pa.float32()),
        "n": pa.array([i * 1_000_003 for i in range(ROWS)], type=pa.int64()),
        "region": pa.array([("north", "south", "east")[i % 3] for i in range(ROWS)]),
        "label": pa.array([i % 2 for i in range(ROWS)], type=pa.int32()),
    }
)

# pyarrow's "lz4" writes the LZ4_RAW codec; row groups of 500 rows give several pages to decode.
for codec in ["none", "snappy", "gzip", "brotli", "zstd", "lz4"]:
    pq.write_table(table, f"codec-{codec}.parquet", compression=codec, row_group_size=500)
