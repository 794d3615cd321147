"""The API's request bodies, with their limits: what crosses the network is checked here, field by field."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from corta.agents.modeler.methods import METHODS

CONVERSATION_ID = r"^[A-Za-z0-9_.:@-]{1,64}$"
ConversationId = Annotated[str, Field(pattern=CONVERSATION_ID)]
Method = Literal[tuple(METHODS)]  # type: ignore[valid-type]
Prm = Literal["auto", "scorer", "judge", "served"]
MAX_TEXT = 20_000
MAX_INSTANCE = 1_000_000


class TextPart(BaseModel):
    """One part of a message's content in OpenAI's list form; only text parts are read."""

    type: Literal["text"]
    text: Annotated[str, Field(max_length=MAX_TEXT)]


class ChatMessage(BaseModel):
    """A chat message; the content is a text or a list of text parts."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: (
        Annotated[str, Field(max_length=MAX_TEXT)] | Annotated[list[TextPart], Field(max_length=64)] | None
    ) = None

    def text(self) -> str:
        """The content as one text."""
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


class CortaOptions(BaseModel):
    """corta's extra body on a chat completion (`extra_body={"corta": {...}}` in OpenAI's client)."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["explain", "hint"] = "explain"
    code: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    error: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    method: Method = "bpp"
    prm: Prm = "auto"
    time_limit_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    instance_text: Annotated[str | None, Field(max_length=MAX_INSTANCE)] = None
    seconds: Annotated[float, Field(gt=0, le=300)] = 5.0
    rounds: Annotated[int, Field(ge=0, le=5)] = 3


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat completion request, the fields corta reads (others, like top_p, are accepted and ignored);
    `user` names the tutor's conversation (letters, digits and `_.:@-`), `corta` holds corta's options."""

    model_config = ConfigDict(extra="ignore")

    model: Annotated[str, Field(min_length=1, max_length=200)]
    messages: Annotated[list[ChatMessage], Field(min_length=1, max_length=500)]
    stream: bool = False
    temperature: Annotated[float, Field(ge=0, le=2)] = 0.0
    max_tokens: Annotated[int | None, Field(ge=1, le=32_768)] = None
    max_completion_tokens: Annotated[int | None, Field(ge=1, le=32_768)] = None
    n: Annotated[int, Field(ge=1, le=1)] = 1
    user: Annotated[str | None, Field(pattern=CONVERSATION_ID)] = None
    corta: CortaOptions = Field(default_factory=CortaOptions)

    def token_limit(self) -> int:
        """The most tokens to generate: max_completion_tokens, else max_tokens, else 512."""
        return self.max_completion_tokens or self.max_tokens or 512


class TutorAsk(BaseModel):
    """`POST /api/tutor/ask`: one turn with the tutor, in a new conversation or a continued one."""

    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, Field(max_length=MAX_TEXT)]
    mode: Literal["explain", "hint"] = "explain"
    code: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    error: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    conversation: ConversationId | None = None


class ModelSolve(BaseModel):
    """`POST /api/model/solve`: a word problem for the modeler, and how to search."""

    model_config = ConfigDict(extra="forbid")

    problem: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    method: Method = "bpp"
    prm: Prm = "auto"
    children: Annotated[int | None, Field(ge=1, le=16)] = None
    width: Annotated[int | None, Field(ge=1, le=16)] = None
    time_limit_s: Annotated[float, Field(gt=0, le=600)] = 30.0


class RouteSolve(BaseModel):
    """`POST /api/route/solve`: an instance file's text (Solomon or CVRPLIB) and its side constraints in words."""

    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    instance_text: Annotated[str, Field(min_length=1, max_length=MAX_INSTANCE)]
    seconds: Annotated[float, Field(gt=0, le=300)] = 5.0
    rounds: Annotated[int, Field(ge=0, le=5)] = 3
