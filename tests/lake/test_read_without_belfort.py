"""A published version read without Belfort (docs/spark.md, "Reading the lake without
Belfort"): the catalogue's row found with plain SQL (sqlite3), the file read with plain
pyspark — no Belfort code on the reading side — gives Belfort's own answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.query.odsql import parse_query
from belfort.settings import Settings
from tests.helpers import write
from tests.spark_session import spark_session

pytest.importorskip("pyspark", reason="the spark extra is part of the test extra")


def test_plain_pyspark_reads_a_published_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    platform = Platform(Settings(data_dir=data, database_url=f"sqlite:///{tmp_path / 'c.sqlite'}"))
    try:
        lines = ["telpunt;tijdstip;aantal;locatie"]
        for i in range(60):
            moment = dt.datetime(2024, 7, 15, 6) + dt.timedelta(minutes=37 * i)
            lines.append(
                f"{['Korenmarkt', 'Veldstraat', 'Graslei'][i % 3]};{moment:%Y-%m-%d %H:%M};"
                f"{'' if i % 11 == 0 else i * 3};51.05{i % 10},3.72{i % 7}"
            )
        source = write(tmp_path / "tellingen.csv", "\n".join(lines) + "\n")
        ingest_file(platform, CLI_ADMIN, "tellingen", source, metadata={"title_nl": "Tellingen"})
        ingest_file(platform, CLI_ADMIN, "tellingen", source, metadata={})  # version 2, same rows
        query = parse_query(
            select="telpunt, count(*) AS n, sum(aantal) AS s, max(tijdstip) AS t",
            group_by="telpunt",
            order_by="telpunt",
        )
        from belfort.policy.reading import readable

        found = readable(platform, CLI_ADMIN, "tellingen", count_use=False, audit=False)
        belfort_rows = platform.engine.execute(query, found.schema, found.path).rows
    finally:
        platform.close()

    # --- the reader's side: the catalogue's SQL and the Parquet file, nothing of Belfort ---
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        path, checksum, number = db.execute(
            "SELECT v.path, v.checksum, v.number FROM datasets d JOIN versions v "
            "ON v.dataset_id = d.id AND v.number = d.published_version "
            "WHERE d.id = ? AND d.state = 'published'",
            ("tellingen",),
        ).fetchone()
    assert number == 2 and path.startswith("versions/tellingen/") and path.endswith(".parquet")
    file = data / path
    assert checksum == "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()
    spark = spark_session()
    frame = spark.read.parquet(str(file))
    assert [f.name for f in frame.schema.fields] == ["telpunt", "tijdstip", "aantal", "locatie"]
    assert frame.schema["locatie"].dataType.simpleString() == "struct<lat:double,lon:double>"
    frame.createOrReplaceTempView("tellingen_v2")
    rows = spark.sql(
        "SELECT telpunt, count(*) AS n, sum(aantal) AS s, max(tijdstip) AS t "
        "FROM tellingen_v2 GROUP BY telpunt ORDER BY telpunt"
    ).collect()
    # Spark hands moments as naive datetimes in the local zone; Belfort's are aware, in UTC
    assert [(r.telpunt, r.n, r.s, r.t.astimezone(dt.UTC)) for r in rows] == belfort_rows
    assert frame.count() == 60
