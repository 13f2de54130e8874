"""Role matrix: the home page (everyone; each role sees its own to-do list)."""

from tests.access.spec import EVERYONE, Case

CASES = [Case("home:home", EVERYONE)]
