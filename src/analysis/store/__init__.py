"""The store: ingest (validate, quarantine, reconcile, write parquet), the query API through
which later stages read data, an area's lookups and denominators, and data quality checks."""
