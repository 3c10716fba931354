"""Generators of test data (synthetic dancers, rendered floors); never used by the product."""
