"""The JSON door, one endpoint per agent and the store's records: `/api/tutor/ask`, `/api/conversations`,
`/api/model/solve`, `/api/route/solve` and `/api/runs`."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from corta.app.api.bodies import ConversationId, ModelSolve, RouteSolve, TutorAsk
from corta.app.api.conversations import conversation_record, owned_conversation, tutor_conversation
from corta.app.api.dependencies import caller, services_of
from corta.app.api.instance_upload import instance_file
from corta.app.services import AgentServices

Services = Annotated[AgentServices, Depends(services_of)]
Caller = Annotated[str, Depends(caller)]


def agent_router() -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.post("/tutor/ask")
    async def tutor_ask(body: TutorAsk, services: Services, who: Caller) -> dict[str, Any]:
        """One turn with the tutor: the answer, its sources, and the conversation to continue."""
        conversation = tutor_conversation(
            services.store, body.conversation, who, body.message, create_missing=False
        )
        turn = await run_in_threadpool(
            services.tutor_turn, body.message, body.mode, body.code, body.error, conversation.id, who
        )
        contract = turn.result.contract()
        return {
            "conversation": conversation.id,
            **{key: contract[key] for key in ("answer", "sources", "mode", "intent", "rounds", "status")},
        }

    @router.get("/conversations")
    async def conversations(
        services: Services, who: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 50
    ) -> list[dict[str, Any]]:
        """The caller's conversations, most recently updated first."""
        return [conversation_record(item) for item in services.store.conversations(owner=who, limit=limit)]

    @router.get("/conversations/{id}")
    async def conversation(id: ConversationId, services: Services, who: Caller) -> dict[str, Any]:
        """One of the caller's conversations with its messages, oldest first."""
        found = owned_conversation(services.store, id, who)
        return {
            **conversation_record(found),
            "messages": [asdict(m) for m in services.store.messages(found.id)],
        }

    @router.post("/model/solve")
    async def model_solve(body: ModelSolve, services: Services) -> dict[str, Any]:
        """The modeler on a word problem: the documented contract of `corta model ask --json`, plus the LaTeX."""
        result = await run_in_threadpool(
            services.model_problem,
            body.problem,
            body.method,
            body.prm,
            body.children,
            body.width,
            body.time_limit_s,
        )
        return {**result.contract(), "latex": result.latex}

    @router.post("/route/solve")
    async def route_solve(body: RouteSolve, services: Services) -> dict[str, Any]:
        """The router on an instance's text and constraints in words: the contract of `corta route ask --json`."""

        def solve() -> dict[str, Any]:
            with instance_file(body.instance_text) as path:
                return services.route(body.description, path, body.seconds, body.rounds).contract()

        return await run_in_threadpool(solve)

    @router.get("/runs")
    async def runs(
        services: Services, kind: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """The store's recent jobs (evaluations, merges), most recent first."""
        return [asdict(run) for run in services.store.runs(kind, limit)]

    return router
