"""What the front doors call: the three agents on one LLM endpoint, one knowledge base and one store.

The Gradio app, the HTTP API and the LTI tool share one `AgentServices`; conversations with the tutor are kept in the
store (their messages for display, LangGraph's checkpoints for the tutor's memory), so they continue after a restart.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from corta.agents.modeler.agent import ModelerResult
from corta.agents.router.agent import RouterResult
from corta.agents.tutor.agent import Tutor, TutorResult
from corta.app.store import Conversation, Store
from corta.config import Settings
from corta.errors import ConfigError
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from corta.models.usage import UsageLedger

AGENT_MODELS = {"corta-tutor": "tutor", "corta-modeler": "modeler", "corta-router": "router"}
"""The agents under the names OpenAI clients use, mapped to the store's agent names."""
DEFAULT_KNOWLEDGE_BASE = "default"
KEPT_CALLS = 10_000
"""LLM calls a server keeps in memory for its usage totals (the usage ledger file, when set, gets every call)."""
LLM_MODEL = "corta-llm"
"""The served model itself, passed through (what the agents call; also the API's latency baseline)."""


@dataclass(frozen=True)
class TutorTurn:
    """One tutor turn as the front doors show it: the conversation it belongs to and the tutor's result."""

    conversation: Conversation
    result: TutorResult


class AgentServices:
    """The agents behind the app and the API; the knowledge base and the tutor are loaded on first use."""

    def __init__(self, settings: Settings, endpoint: Endpoint, store: Store) -> None:
        self.settings = settings
        self.endpoint = endpoint
        self.store = store
        self.llm = LLM(endpoint, UsageLedger(settings.usage_ledger, keep=KEPT_CALLS), settings.llm_timeout_s)
        self._tutors: dict[str, Tutor] = {}
        self._lock = threading.Lock()

    @property
    def tutor(self) -> Tutor:
        """Molly on the default knowledge base (the Python docs), her threads checkpointed in the store."""
        return self.tutor_on(DEFAULT_KNOWLEDGE_BASE)

    @tutor.setter
    def tutor(self, tutor: Tutor) -> None:
        self._tutors[DEFAULT_KNOWLEDGE_BASE] = tutor

    def tutor_on(self, knowledge_base: str) -> Tutor:
        """Molly on a named knowledge base: `default`, or a course's, built into `<cache_dir>/knowledge_bases/NAME`.

        Raises
        ------
        ConfigError
            When that knowledge base has not been built.
        """
        with self._lock:
            if knowledge_base not in self._tutors:
                from corta.retrieval.knowledge_base import KnowledgeBase

                folder = self.knowledge_base_dir(knowledge_base)
                if knowledge_base != DEFAULT_KNOWLEDGE_BASE and not folder.is_dir():
                    raise ConfigError(
                        f"The course knowledge base {knowledge_base!r} is not built: run `corta index build "
                        f"--source course=FOLDER --index-dir {folder}`."
                    )
                self._tutors[knowledge_base] = Tutor(
                    self.llm, KnowledgeBase.load(folder), self.store.checkpointer()
                )
            return self._tutors[knowledge_base]

    def knowledge_base_dir(self, knowledge_base: str) -> Path:
        """Where the named knowledge base lives."""
        if knowledge_base == DEFAULT_KNOWLEDGE_BASE:
            return self.settings.knowledge_base_dir()
        return self.settings.cache_dir / "knowledge_bases" / knowledge_base

    def tutor_turn(
        self,
        message: str,
        mode: str = "explain",
        code: str = "",
        error: str = "",
        conversation_id: str | None = None,
        owner: str = "",
        on_step: Callable[[str], None] | None = None,
        knowledge_base: str = DEFAULT_KNOWLEDGE_BASE,
    ) -> TutorTurn:
        """One turn with the tutor on `knowledge_base`, recorded in a conversation (a new one when `conversation_id`
        is None).

        Raises
        ------
        ConfigError
            When the conversation does not exist or belongs to someone else, the mode or message is invalid, or
            the knowledge base is not built.
        corta.errors.LLMUnavailableError
            When the LLM cannot be reached.
        """
        tutor = self.tutor_on(knowledge_base)
        conversation = self._conversation("tutor", message, conversation_id, owner)
        result = tutor.ask(
            message, mode=mode, code=code, error=error, thread=conversation.id, on_step=on_step
        )
        answer_meta = {key: value for key, value in result.contract().items() if key != "answer"}
        self.store.add_messages(
            conversation.id,
            [
                ("user", message, {"mode": mode, "code": code, "error": error}),
                ("assistant", result.answer, answer_meta),
            ],
        )
        return TutorTurn(conversation, result)

    def model_problem(
        self,
        question: str,
        method: str = "bpp",
        prm: str = "auto",
        children: int | None = None,
        width: int | None = None,
        time_limit_s: float = 30.0,
    ) -> ModelerResult:
        """The modeler on a word problem: the chosen model, its solution and the search tree.

        Raises
        ------
        ConfigError
            When the method or the reward model is unknown or unavailable.
        """
        from corta.agents.modeler.agent import solve_problem
        from corta.agents.modeler.prm_choice import prm_for_method

        scorer = prm_for_method(prm, method, self.llm, self.settings)
        return solve_problem(
            question, self.llm, method, prm=scorer, children=children, width=width, time_limit_s=time_limit_s
        )

    def route(self, description: str, instance: Path, seconds: float = 5.0, rounds: int = 3) -> RouterResult:
        """The router on an instance file and side constraints in words: the plan and the code that checks it.

        Raises
        ------
        ConfigError
            When the time limit or rounds are out of range.
        corta.solvers.routing.instance.InstanceError
            When the instance cannot be read.
        """
        from corta.agents.router.agent import route_problem
        from corta.agents.router.prefilter import Prefilter

        return route_problem(
            description, instance, self.llm, seconds=seconds, max_rounds=rounds, prefilter=Prefilter()
        )

    def stream_chat(
        self, messages: list[dict[str, str]], temperature: float = 0.0, max_tokens: int = 512
    ) -> Iterator[str]:
        """The served model itself (`corta-llm`), streamed: the pieces of its reply to `messages` as they arrive.

        Raises
        ------
        corta.errors.LLMUnavailableError
            When the LLM cannot be reached.
        """
        return self.llm.stream(messages, purpose="api", temperature=temperature, max_tokens=max_tokens)

    def _conversation(
        self, agent: str, message: str, conversation_id: str | None, owner: str
    ) -> Conversation:
        if conversation_id is None:
            title = message.strip().splitlines()[0] if message.strip() else "(empty)"
            return self.store.create_conversation(agent, title, owner)
        conversation = self.store.conversation(conversation_id)
        if conversation is None or conversation.agent != agent or (owner and conversation.owner != owner):
            raise ConfigError(f"There is no {agent} conversation {conversation_id!r}.")
        return conversation


@contextmanager
def open_services(settings: Settings, model: str | None = None) -> Iterator[AgentServices]:
    """The services on the chosen model (embedded | tiny | vllm | url | an http(s) URL) and the settings' store; a
    server started here stops when the block ends.

    Raises
    ------
    ConfigError
        When the model choice is unknown or the store cannot be opened.
    corta.errors.LLMUnavailableError
        When no model server can be reached or started.
    """
    from corta.models.runtime.connect import connect

    store = Store.open(settings)
    try:
        with connect(settings, model) as endpoint:
            yield AgentServices(settings, endpoint, store)
    finally:
        store.close()
