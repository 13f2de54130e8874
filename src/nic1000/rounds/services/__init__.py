"""Writes on rounds, one module per stage. Import from the module (`rounds.services.nominations` ...)."""
