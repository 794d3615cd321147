"""Benchmark loaders and batch evaluation; the data itself is read from a path, never shipped."""
