"""ingest layer of Casebook (see DESIGN.md)."""
