"""`make bench`: measures the embedded stack under load and writes docs/bench/."""
