"""corta: compact reasoning and tutoring agents on locally served small models."""

__version__ = "0.1.0"
