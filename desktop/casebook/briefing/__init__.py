"""briefing layer of Casebook (see DESIGN.md)."""
