"""exchange layer of Casebook (see DESIGN.md)."""
