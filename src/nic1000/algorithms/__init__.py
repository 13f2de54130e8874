"""Pure algorithm modules: numpy/pandas/scipy only, never Django.

They take and return plain data so they can be tested, benchmarked and reused alone.
"""
