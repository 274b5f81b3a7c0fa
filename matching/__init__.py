"""The linkage library: French identity standardisation, the Splink model, jobs, online scoring.

No web, no ORM: works on Arrow, Parquet and DuckDB.
"""
