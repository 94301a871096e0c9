"""Casebook: case management for investigators of dual-use technology supply chains."""

__version__ = "0.1.0"
