"""Turn a model choice (embedded, tiny, a URL, or the settings) into a live `Endpoint`."""

from collections.abc import Iterator
from contextlib import contextmanager

from corta.config import Settings
from corta.errors import ConfigError, LLMUnavailableError
from corta.models.runtime.catalog import PACKAGED_MODELS
from corta.models.runtime.embedded import EmbeddedServer
from corta.models.runtime.endpoint import Endpoint, StructuredOutput
from corta.models.runtime.health import model_listing


def remote_endpoint(base_url: str, settings: Settings, engine: str = "url") -> Endpoint:
    """An endpoint at a running OpenAI-compatible server; the model is the configured one or the first listed.

    Raises
    ------
    LLMUnavailableError
        If the server does not answer or serves no model.
    """
    base_url = base_url.rstrip("/")
    listing = model_listing(base_url, settings.llm_api_key, timeout_s=10.0)
    if listing is None:
        raise LLMUnavailableError(f"No OpenAI-compatible server answers at {base_url}/models.")
    if not listing and not settings.llm_model:
        raise LLMUnavailableError(f"The server at {base_url} serves no model.")
    model = settings.llm_model or listing[0]["id"]
    structured: StructuredOutput
    if settings.llm_structured_output != "auto":
        structured = settings.llm_structured_output
    else:
        # llama-cpp-python lists its models as owned by "me"; vLLM and hosted APIs read OpenAI's json_schema.
        owners = {entry.get("owned_by") for entry in listing}
        structured = "llama_cpp" if owners & {"me", "llamacpp"} else "openai"
    return Endpoint(base_url, model, engine, settings.llm_api_key, structured)


@contextmanager
def connect(settings: Settings, choice: str | None = None) -> Iterator[Endpoint]:
    """Yield an endpoint for `choice` (embedded | tiny | vllm | url | http(s)://…), starting a server if needed.

    A server started here is stopped when the block ends; a running one is reused and left running.

    Raises
    ------
    ConfigError
        If the choice is unknown or an engine lacks its base URL.
    """
    choice = choice or settings.llm_engine
    if choice in PACKAGED_MODELS:
        with EmbeddedServer(PACKAGED_MODELS[choice], settings) as server:
            yield server.endpoint()
    elif choice.startswith(("http://", "https://")):
        yield remote_endpoint(choice, settings)
    elif choice in ("url", "vllm"):
        if not settings.llm_base_url:
            raise ConfigError(
                f"The {choice} engine needs a base URL: set CORTA_LLM_BASE_URL or llm_base_url."
            )
        yield remote_endpoint(settings.llm_base_url, settings, choice)
    else:
        raise ConfigError(
            f"Unknown model choice {choice!r}: use embedded, tiny, vllm, url or an http(s) URL."
        )
