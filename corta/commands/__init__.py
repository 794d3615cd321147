"""Sub-commands of the `corta` command line, one Typer app per file, registered in `corta.cli`."""
