"""Writes of the relationship work, one module per topic."""
