"""vault layer of Casebook (see DESIGN.md)."""
