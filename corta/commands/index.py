"""`corta index`: build the tutor's knowledge base (the Python docs in English and Chinese, pydoc's topics, course
files) and search it."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, cast

import typer

from corta.commands.common import ThreadsOption, load_settings
from corta.commands.reporting import reports_errors
from corta.retrieval.passage import Language

index_app = typer.Typer(help="Build and search the knowledge base the tutor cites.", no_args_is_help=True)

IndexDirOption = Annotated[
    Path | None, typer.Option(help="The knowledge base's folder (default: CORTA_INDEX_DIR or the cache).")
]


@index_app.command("build")
@reports_errors
def build(
    source: Annotated[
        list[str] | None,
        typer.Option(
            help="KIND=PATH, repeatable: python-docs, python-docs-zh, pydoc-topics (no path: the installed "
            "one), course (a folder of .md, .txt, .py, .ipynb). Default: the Python docs in CORTA_DOCS_DIR "
            "(English and Chinese) and pydoc's topics."
        ),
    ] = None,
    index_dir: IndexDirOption = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when the sources have not changed.")] = False,
    threads: ThreadsOption = None,
) -> None:
    """Chunk and embed the sources into a FAISS index; does nothing when they have not changed since the last build."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from corta.retrieval.build import build_index
    from corta.retrieval.sources.registry import Source, default_sources

    settings = load_settings(threads)
    sources = [Source.parse(spec) for spec in source] if source else default_sources(settings.docs_dir)
    folder = index_dir or settings.knowledge_base_dir()
    columns = (TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        tasks: dict[str, int] = {}

        def show(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task("reading" if stage == "read" else "embedding", total=total)
            bar.update(tasks[stage], completed=done)

        result = build_index(sources, folder, progress=show, force=force)
    manifest = result.manifest
    if result.up_to_date:
        typer.echo(f"up to date: {manifest.chunks} chunks in {folder} (built {manifest.built_at})")
        return
    for record in manifest.sources:
        skipped = f", {len(record.skipped)} unreadable files skipped" if record.skipped else ""
        typer.echo(f"{record.source}: {record.files} files, {record.chunks} chunks{skipped}")
    typer.echo(f"built {manifest.chunks} chunks in {manifest.build_seconds:.0f} s into {folder}")


@index_app.command("search")
@reports_errors
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in English or Chinese.")],
    k: Annotated[int, typer.Option("-k", min=1, help="How many passages.")] = 3,
    language: Annotated[str | None, typer.Option(help="Only passages in this language: en or zh.")] = None,
    index_dir: IndexDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the passages as JSON.")] = False,
    threads: ThreadsOption = None,
) -> None:
    """The passages most similar to the query: score, citation and first lines."""
    from corta.errors import ConfigError
    from corta.retrieval.knowledge_base import KnowledgeBase

    settings = load_settings(threads)
    if language not in (None, "en", "zh"):
        raise ConfigError(f"unknown language {language!r}: use en or zh")
    knowledge_base = KnowledgeBase.load(index_dir or settings.knowledge_base_dir())
    passages = knowledge_base.search(query, k=k, language=cast(Language | None, language))
    if as_json:
        typer.echo(json.dumps([asdict(passage) for passage in passages], ensure_ascii=False))
        return
    for rank, passage in enumerate(passages, 1):
        lines = [line for line in passage.text.splitlines() if line.strip()][:3]
        typer.echo(f"{rank}. {passage.score:.3f}  {passage.path}  [{passage.source}, {passage.language}]")
        typer.echo("\n".join(f"     {line[:120]}" for line in lines))


if __name__ == "__main__":
    index_app()
