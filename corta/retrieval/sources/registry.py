"""The kinds of source by name (``python-docs``, ``python-docs-zh``, ``pydoc-topics``, ``course``), how a
``KIND=PATH`` option names one, and reading a source with unreadable files skipped and counted."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corta.errors import ConfigError
from corta.retrieval.passage import Chunk
from corta.retrieval.sources.course import course_files, read_course_file
from corta.retrieval.sources.pydoc_topics import pydoc_topics_files, read_pydoc_topics
from corta.retrieval.sources.python_docs import python_docs_files, read_python_docs
from corta.retrieval.sources.python_docs_zh import ENGLISH_FOLDER, python_docs_zh_files, read_python_docs_zh

logger = logging.getLogger(__name__)

ZH_FOLDER = "python_docs_zh_cn_3.11"


@dataclass(frozen=True)
class SourceKind:
    """How one kind of source lists its files and reads one of them into chunks."""

    files: Callable[..., list[Path]]
    read: Callable[..., list[Chunk]]
    path_optional: bool = False


SOURCE_KINDS: dict[str, SourceKind] = {
    "python-docs": SourceKind(python_docs_files, read_python_docs),
    "python-docs-zh": SourceKind(python_docs_zh_files, read_python_docs_zh),
    "pydoc-topics": SourceKind(pydoc_topics_files, read_pydoc_topics, path_optional=True),
    "course": SourceKind(course_files, read_course_file),
}


@dataclass(frozen=True)
class Source:
    """A kind of source and where it lies (None: the kind's built-in data, for ``pydoc-topics``)."""

    kind: str
    path: Path | None = None

    @classmethod
    def parse(cls, spec: str) -> "Source":
        """``KIND=PATH``, or ``KIND`` alone for a kind with built-in data.

        Raises
        ------
        ConfigError
            For an unknown kind, or a missing path where the kind needs one.
        """
        kind, _, path = spec.partition("=")
        if kind not in SOURCE_KINDS:
            raise ConfigError(
                f"unknown source kind {kind!r} in {spec!r}: use one of {', '.join(SOURCE_KINDS)}"
            )
        if not path and not SOURCE_KINDS[kind].path_optional:
            raise ConfigError(f"source {kind!r} needs a path: write {kind}=PATH")
        return cls(kind, Path(path) if path else None)

    def __str__(self) -> str:
        return self.kind if self.path is None else f"{self.kind}={self.path}"

    def files(self) -> list[Path]:
        """The source's files.

        Raises
        ------
        ConfigError
            When its path does not exist or holds none of the files its kind reads.
        """
        if self.path is not None and not self.path.exists():
            raise ConfigError(f"source {self} does not exist")
        files = SOURCE_KINDS[self.kind].files(self.path)
        if not files:
            raise ConfigError(f"source {self} holds no files that a {self.kind} source reads")
        return files

    def read(self, file: Path) -> list[Chunk] | None:
        """The file's chunks, or None (with a logged warning) when it cannot be read or parsed."""
        try:
            return SOURCE_KINDS[self.kind].read(self.path, file)
        except (OSError, ValueError, SyntaxError) as error:
            logger.warning("skipped %s: %s", file, error)
            return None


def default_sources(docs_dir: Path) -> list[Source]:
    """The Python docs in English and Chinese from the docs folder, and pydoc's topics.

    Raises
    ------
    ConfigError
        When the docs folder has no English docs in it.
    """
    english = docs_dir / ENGLISH_FOLDER
    if not english.is_dir():
        raise ConfigError(
            f"no Python docs at {english}: set CORTA_DOCS_DIR to the folder holding {ENGLISH_FOLDER} or pass --source"
        )
    sources = [Source("python-docs", english)]
    if (docs_dir / ZH_FOLDER).is_dir():
        sources.append(Source("python-docs-zh", docs_dir / ZH_FOLDER))
    else:
        logger.warning("no Chinese translation at %s: building without it", docs_dir / ZH_FOLDER)
    return [*sources, Source("pydoc-topics")]
