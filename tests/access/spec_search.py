"""Role matrix: the global search (staff roles only; companies and the public get none)."""

from tests.access.spec import SIGNED_IN, Case

CASES = [
    Case("search:search", SIGNED_IN - {"company"}, query="q=test"),
]
