"""store layer of Casebook (see DESIGN.md)."""
