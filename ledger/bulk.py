"""Write many rows fast: COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction."""
from __future__ import annotations

import io
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.csv
from sqlalchemy import Connection


def write_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    raw = conn.connection.driver_connection
    names = ", ".join(columns)
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def write_arrow(conn: Connection, table: str, columns: Sequence[str], data: pa.Table) -> None:
    """Write an Arrow table's rows: one CSV COPY on PostgreSQL, executemany on SQLite."""
    if data.num_rows == 0:
        return
    if conn.dialect.name == "sqlite":
        write_rows(conn, table, columns, zip(*(data.column(c).to_pylist() for c in columns)))
        return
    # CSV as PostgreSQL reads it: an unquoted empty field is NULL, a quoted one an empty text
    buffer = io.BytesIO()
    pyarrow.csv.write_csv(data.select(list(columns)), buffer, pyarrow.csv.WriteOptions(include_header=False))
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())
