"""ui layer of Casebook (see DESIGN.md)."""
