"""Merge methods, one file each, collected by name in `registry.py`."""
