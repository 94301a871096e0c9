"""analysis layer of Casebook (see DESIGN.md)."""
