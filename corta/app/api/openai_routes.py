"""The OpenAI-compatible door: `GET /v1/models` and `POST /v1/chat/completions`, whose model names are the agents
(`corta-tutor`, `corta-modeler`, `corta-router`) and the served model itself (`corta-llm`), streaming or not.

`corta-llm` streams the served model's pieces as they arrive. The agents think before they reply (the tutor reflects
on its draft), so a streamed agent reply sends progress as server-sent comments, which clients ignore, and then the
reply in pieces. The tutor's conversation is named by the `X-Corta-Conversation` header or the `user` field, and
returned in the `X-Corta-Conversation` response header and the body's `corta.conversation`.
"""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from corta.app.api.bodies import CONVERSATION_ID, ChatCompletionRequest
from corta.app.api.conversations import tutor_conversation
from corta.app.api.dependencies import caller, services_of
from corta.app.api.errors import ApiError, corta_error_code, corta_error_status, error_body
from corta.app.api.instance_upload import instance_file
from corta.app.api.openai_format import DONE, chunk, comment, completion, completion_id, event, pieces_of
from corta.app.api.replies import modeler_reply, router_reply, tutor_reply
from corta.app.api.thread_feed import HEARTBEAT, ConsumerGone, feed_from_thread
from corta.app.services import AGENT_MODELS, LLM_MODEL, AgentServices
from corta.errors import CortaError
from corta.solvers.routing.instance import InstanceError

CONVERSATION_HEADER = "X-Corta-Conversation"
HEARTBEAT_S = 10.0
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
Services = Annotated[AgentServices, Depends(services_of)]
Caller = Annotated[str, Depends(caller)]
AgentWork = Callable[[Callable[[str], None]], tuple[str, dict[str, Any]]]
"""An agent's turn: given a callback for its steps, the reply text and the `corta` extension of the answer."""


def openai_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/models")
    async def models(services: Services) -> dict[str, Any]:
        """The agents and the served model, in OpenAI's list format."""
        entries = [
            {"id": name, "object": "model", "created": 0, "owned_by": "corta"} for name in AGENT_MODELS
        ]
        served = {
            "id": LLM_MODEL,
            "object": "model",
            "created": 0,
            "owned_by": "corta",
            "root": services.endpoint.model,
        }
        return {"object": "list", "data": [*entries, served]}

    @router.post("/chat/completions")
    async def chat_completions(
        body: ChatCompletionRequest,
        services: Services,
        who: Caller,
        conversation_header: Annotated[
            str | None, Header(alias=CONVERSATION_HEADER, pattern=CONVERSATION_ID)
        ] = None,
    ) -> Response:
        """A chat completion from the served model or from an agent."""
        if body.model == LLM_MODEL:
            return await _served_model(body, services)
        if body.model not in AGENT_MODELS:
            names = ", ".join([*AGENT_MODELS, LLM_MODEL])
            raise ApiError(404, f"There is no model {body.model!r}: use one of {names}.", "model_not_found")
        question = _last_user_message(body)
        headers: dict[str, str] = {}
        if body.model == "corta-tutor":
            requested = conversation_header or body.user
            conversation = tutor_conversation(services.store, requested, who, question, create_missing=True)
            headers[CONVERSATION_HEADER] = conversation.id
            work = _tutor_work(services, body, question, conversation.id, who)
        elif body.model == "corta-modeler":
            work = _modeler_work(services, body, question)
        else:
            work = _router_work(services, body, question)
        if body.stream:
            return StreamingResponse(
                _agent_events(body.model, work),
                media_type="text/event-stream",
                headers={**SSE_HEADERS, **headers},
            )
        text, extension = await run_in_threadpool(work, lambda step: None)
        return JSONResponse(completion(completion_id(), body.model, text, extension), headers=headers)

    return router


def _last_user_message(body: ChatCompletionRequest) -> str:
    for message in reversed(body.messages):
        if message.role == "user":
            return message.text()
    raise ApiError(400, f"The messages hold no user message for {body.model} to answer.", "no_user_message")


async def _served_model(body: ChatCompletionRequest, services: AgentServices) -> Response:
    """`corta-llm`: the messages go to the served model as they are; its pieces come back as they arrive."""
    messages = [{"role": message.role, "content": message.text()} for message in body.messages]

    def work(emit: Callable[[str], None]) -> None:
        for piece in services.stream_chat(
            messages, temperature=body.temperature, max_tokens=body.token_limit()
        ):
            emit(piece)

    feed = feed_from_thread(work)
    if not body.stream:
        text = "".join([piece async for batch in feed for piece in batch])
        return JSONResponse(completion(completion_id(), LLM_MODEL, text))
    # The first pieces are awaited here, so that an LLM that cannot be reached is a 503, not a broken stream.
    first = await anext(feed, [])
    return StreamingResponse(_served_events(first, feed), media_type="text/event-stream", headers=SSE_HEADERS)


async def _served_events(first: list[str], feed: AsyncIterator[list[str]]) -> AsyncIterator[str]:
    """The pieces as chunks; the pieces that arrived together go out in one write."""
    id = completion_id()
    yield chunk(id, LLM_MODEL, {"role": "assistant", "content": ""}) + _chunks(id, first)
    try:
        async for batch in feed:
            yield _chunks(id, batch)
    except CortaError as error:
        yield event(error_body(corta_error_status(error), str(error), corta_error_code(error)))
    else:
        yield chunk(id, LLM_MODEL, {}, finish_reason="stop")
    yield DONE


def _chunks(id: str, pieces: list[str]) -> str:
    return "".join(chunk(id, LLM_MODEL, {"content": piece}) for piece in pieces)


async def _agent_events(model: str, work: AgentWork) -> AsyncIterator[str]:
    """Progress comments while the agent works, then its reply in pieces; an error is the stream's last event."""
    id = completion_id()
    yield chunk(id, model, {"role": "assistant", "content": ""})
    started = time.perf_counter()

    def run(emit: Callable[[Any], None]) -> None:
        def step(name: str) -> None:
            # A client that left does not stop the turn: the tutor's is recorded, to be read from its conversation.
            with suppress(ConsumerGone):
                emit(name)

        emit(work(step))

    try:
        async for batch in feed_from_thread(run, heartbeat_s=HEARTBEAT_S):
            if batch is HEARTBEAT:
                yield comment(f"working {time.perf_counter() - started:.0f} s")
                continue
            for item in batch:
                if isinstance(item, str):
                    yield comment(f"step {item}")
                    continue
                text, extension = item
                for piece in pieces_of(text):
                    yield chunk(id, model, {"content": piece})
                yield chunk(id, model, {}, finish_reason="stop", extension=extension)
    except (CortaError, InstanceError, ApiError) as error:
        status = error.status if isinstance(error, ApiError) else corta_error_status(error)
        code = error.code if isinstance(error, ApiError) else corta_error_code(error)
        yield event(error_body(status, str(error), code))
    yield DONE


def _tutor_work(
    services: AgentServices, body: ChatCompletionRequest, question: str, conversation: str, who: str
) -> AgentWork:
    options = body.corta

    def work(on_step: Callable[[str], None]) -> tuple[str, dict[str, Any]]:
        turn = services.tutor_turn(
            question, options.mode, options.code, options.error, conversation, who, on_step=on_step
        )
        contract = turn.result.contract()
        extension = {
            "conversation": conversation,
            **{key: value for key, value in contract.items() if key != "answer"},
        }
        return tutor_reply(turn.result), extension

    return work


def _modeler_work(services: AgentServices, body: ChatCompletionRequest, question: str) -> AgentWork:
    options = body.corta

    def work(on_step: Callable[[str], None]) -> tuple[str, dict[str, Any]]:
        result = services.model_problem(
            question, options.method, options.prm, time_limit_s=options.time_limit_s
        )
        return modeler_reply(result), {**result.contract(), "latex": result.latex}

    return work


def _router_work(services: AgentServices, body: ChatCompletionRequest, question: str) -> AgentWork:
    options = body.corta
    if options.instance_text is None:
        raise ApiError(
            400,
            "corta-router needs an instance: send the instance file's text as corta.instance_text, or use "
            "POST /api/route/solve.",
            "instance_required",
        )
    instance_text = options.instance_text

    def work(on_step: Callable[[str], None]) -> tuple[str, dict[str, Any]]:
        with instance_file(instance_text) as path:
            result = services.route(question, path, options.seconds, options.rounds)
        return router_reply(result), result.contract()

    return work
