"""Belfort — an open-source Urban Data Platform.

The package is layered (see docs/architecture.md):

- ``catalog``  datasets, versions, distributions, API keys (SQLAlchemy + Alembic)
- ``ingest``   readers, sniffing, schema inference, validation, Parquet writing
- ``lake``     the data directory: immutable Parquet versions, atomic publication
- ``query``    the one internal query model and its DuckDB compiler/executor
- ``policy``   principals and the single gate every read and write passes
- ``api``      thin HTTP adapters (FastAPI) onto the layers above
- ``demo``     the demo catalogue modelled on Ghent
"""

__version__ = "0.1.0"
