"""Benchmarks (`make bench`). They serve nothing over the network but loopback: a throwaway key and plain http
unless the caller sets its own (production refuses to start without a SECRET_KEY)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "0123456789abcdef" * 4)
os.environ.setdefault("NIC1000_INSECURE_HTTP", "1")
os.environ.setdefault("AUDIT_KEY", "bench-only-audit-key-" + "0123456789abcdef" * 2)
