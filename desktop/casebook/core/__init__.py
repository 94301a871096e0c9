"""core layer of Casebook (see DESIGN.md)."""
