"""Benchmarks and reliability drills (`make bench`); see docs/PERFORMANCE.md."""
