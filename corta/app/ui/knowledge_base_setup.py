"""The tutor's knowledge base on first use: where none is built yet, the app builds it from the Python docs (a few
minutes, its progress shown in the chat) rather than failing; without the docs it says in one sentence what to do."""

import threading
from collections.abc import Callable

from corta.agents.tutor.agent import Tutor
from corta.app.services import AgentServices
from corta.config import Settings
from corta.errors import ConfigError
from corta.retrieval.knowledge_base import INDEX_FILE, MANIFEST_FILE

_STAGES = {"read": "Building the knowledge base (first use only): reading the Python docs",
           "embed": "Building the knowledge base (first use only): embedding passages"}  # fmt: skip


def knowledge_base_built(settings: Settings) -> bool:
    """Whether a finished knowledge base lies in the settings' folder (a build writes its manifest last)."""
    folder = settings.knowledge_base_dir()
    return (folder / MANIFEST_FILE).is_file() and (folder / INDEX_FILE).is_file()


def missing_knowledge_base_notice(settings: Settings) -> str:
    """One sentence for the tutor tab when no knowledge base is built yet (empty when there is one)."""
    if knowledge_base_built(settings):
        return ""
    return (
        f"The tutor's knowledge base is not built yet: the first question builds it from the Python docs in "
        f"{settings.docs_dir} (about 5 minutes), or run `corta index build` beforehand."
    )


class TutorSetup:
    """Loads the tutor once; builds its knowledge base first when it cannot be loaded (one build at a time)."""

    def __init__(self, services: AgentServices) -> None:
        self.services = services
        self._lock = threading.Lock()

    def prepare(self, on_step: Callable[[str], None]) -> Tutor:
        """The services' tutor, its knowledge base built first when it cannot be loaded; `on_step` hears how a build
        goes.

        Raises
        ------
        ConfigError
            When there is no knowledge base and no Python docs to build it from.
        """
        with self._lock:
            try:
                return self.services.tutor
            except ConfigError:
                self._build(on_step)
                return self.services.tutor

    def _build(self, on_step: Callable[[str], None]) -> None:
        from corta.retrieval.build import build_index
        from corta.retrieval.sources.registry import default_sources

        settings = self.services.settings
        try:
            sources = default_sources(settings.docs_dir)
        except ConfigError:
            raise ConfigError(
                f"The tutor has no knowledge base and there are no Python docs in {settings.docs_dir} to build one "
                "from: set CORTA_DOCS_DIR to their folder, or run `corta index build --source …`."
            ) from None
        shown: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            percent = 100 * done // max(total, 1)
            if shown.get(stage) != percent:
                shown[stage] = percent
                on_step(f"{_STAGES.get(stage, stage)}: {done:,} of {total:,}…")

        on_step(f"{_STAGES['read']}…")
        build_index(sources, settings.knowledge_base_dir(), progress=progress)
