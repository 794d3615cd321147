"""The Tutor tab: a streaming chat with Molly (explain or hint), pasted code and error, the sources of each answer,
and past conversations to pick up again, kept in the store across restarts."""

import re
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from corta.app.services import AgentServices, TutorTurn
from corta.app.ui.background import BackgroundCall, StepCallback
from corta.app.ui.conversation_view import (
    conversation_choices,
    history,
    last_sources,
    sources_markdown,
    sources_rows,
    user_markdown,
)
from corta.app.ui.errors import error_markdown
from corta.app.ui.knowledge_base_setup import TutorSetup, missing_knowledge_base_notice
from corta.errors import CortaError

# What Molly does next once a step of her graph has finished (perceive → retrieve → draft → reflect ⇄ revise | repair).
NEXT_STEP = {
    "perceive": "Searching the docs…",
    "retrieve": "Drafting…",
    "draft": "Checking the draft…",
    "reflect": "Revising if needed…",
    "revise": "Checking the revised draft…",
    "repair": "Running the repaired code…",
    "clarify": "Asking back…",
    "off_topic": "Replying…",
    "answer": "Done",
}
FIRST_STEP = "Understanding your question…"
SOURCE_HEADERS = ["title", "path", "score"]
_PIECE = re.compile(r"\S+\s*|\s+")
_PIECE_WORDS = 3


def build_tutor_tab(services: AgentServices, page: gr.Blocks) -> None:
    """The tab's components and events, inside the caller's `gr.Tab`; `page` reloads the conversation list."""
    setup = TutorSetup(services)
    # The conversation's id is a hidden Textbox rather than a State, so that API clients can pass it too.
    conversation = gr.Textbox("", visible=False, label="Conversation id")
    notice = gr.Markdown(missing_knowledge_base_notice(services.settings), elem_id="tutor-notice")
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Molly", height=480, elem_id="tutor-chat", buttons=["copy"])
            message = gr.Textbox(
                label="Your question", lines=2, elem_id="tutor-message",
                placeholder="Ask about Python, paste code and an error beside it…",
            )  # fmt: skip
            with gr.Row():
                ask = gr.Button("Ask", variant="primary", elem_id="tutor-ask")
                new = gr.Button("New conversation", elem_id="tutor-new")
            status = gr.Markdown(elem_id="tutor-status")
        with gr.Column(scale=2):
            mode = gr.Radio(
                ["explain", "hint"], value="explain", label="Mode", elem_id="tutor-mode",
                info="hint: Molly guides you towards the answer without writing the solution.",
            )  # fmt: skip
            conversations = gr.Dropdown(
                choices=conversation_choices(services.store), value=None, label="Conversations",
                info="Pick one to continue it.", elem_id="tutor-conversations",
            )  # fmt: skip
            code = gr.Code(
                language="python", label="Your code (optional)", interactive=True, elem_id="tutor-code"
            )
            error = gr.Textbox(label="Error or traceback (optional)", lines=4, elem_id="tutor-error")
            sources = gr.Dataframe(
                headers=SOURCE_HEADERS,
                label="Sources of the last answer",
                interactive=False,
                elem_id="tutor-sources",
            )

    def turn(
        text: str, chosen_mode: str, pasted_code: str | None, pasted_error: str, conversation_id: str,
        shown: list[dict[str, Any]] | None,
    ) -> Iterator[dict[Any, Any]]:  # fmt: skip
        """One turn: the steps as they happen, then the answer piece by piece, its sources and the conversation."""
        if not text.strip():
            yield {status: error_markdown(CortaError("Type a question first."))}
            return
        pasted_code = pasted_code or ""
        steps = {"role": "assistant", "content": "", "metadata": {"title": FIRST_STEP, "status": "pending"}}
        shown = [
            *(shown or []),
            {"role": "user", "content": user_markdown(text, pasted_code, pasted_error)},
            steps,
        ]
        yield {chat: shown, message: "", status: ""}
        started = time.perf_counter()

        def work(on_step: StepCallback) -> TutorTurn:
            setup.prepare(on_step)
            return services.tutor_turn(
                text, chosen_mode, pasted_code, pasted_error, conversation_id or None, on_step=on_step
            )

        call = BackgroundCall(work)
        done: list[str] = []
        for step in call.steps():
            done.append(step)
            steps["metadata"] = {"title": NEXT_STEP.get(step, step), "status": "pending"}
            steps["content"] = " → ".join(item for item in done if item in NEXT_STEP)
            yield {chat: shown}
        try:
            result = call.result()
        except CortaError as failure:
            steps["metadata"] = {"title": "Stopped", "status": "done"}
            yield {chat: shown, status: error_markdown(failure)}
            return
        steps["metadata"] = {
            "title": "Steps",
            "status": "done",
            "duration": round(time.perf_counter() - started, 1),
        }
        reply = {"role": "assistant", "content": ""}
        shown.append(reply)
        pieces = _PIECE.findall(result.result.answer)
        for start in range(0, len(pieces), _PIECE_WORDS):
            reply["content"] += "".join(pieces[start : start + _PIECE_WORDS])
            yield {chat: shown}
            time.sleep(0.01)  # lets the browser paint each piece
        footer = sources_markdown(result.result.sources)
        reply["content"] = f"{result.result.answer}\n\n{footer}" if footer else result.result.answer
        yield {
            chat: shown,
            sources: sources_rows(result.result.sources),
            status: "",
            conversation: result.conversation.id,
            conversations: gr.Dropdown(
                choices=conversation_choices(services.store), value=result.conversation.id
            ),
            notice: "",
        }

    def pick(conversation_id: str | None) -> dict[Any, Any]:
        """Show a stored conversation and continue it."""
        if not conversation_id:
            return {chat: [], conversation: "", sources: [], status: ""}
        return {
            chat: history(services.store, conversation_id),
            conversation: conversation_id,
            sources: sources_rows(last_sources(services.store, conversation_id)),
            status: "",
        }

    def start_over() -> dict[Any, Any]:
        return {chat: [], conversation: "", sources: [], status: "", conversations: gr.Dropdown(value=None)}

    def refresh() -> gr.Dropdown:
        return gr.Dropdown(choices=conversation_choices(services.store))

    outputs = [chat, message, status, sources, conversation, conversations, notice]
    inputs = [message, mode, code, error, conversation, chat]
    ask.click(turn, inputs, outputs, api_name="tutor_turn")
    message.submit(turn, inputs, outputs, api_visibility="private")
    conversations.input(
        pick, [conversations], [chat, conversation, sources, status], api_name="tutor_conversation"
    )
    new.click(
        start_over, None, [chat, conversation, sources, status, conversations], api_visibility="private"
    )
    page.load(refresh, None, [conversations], api_visibility="private")
