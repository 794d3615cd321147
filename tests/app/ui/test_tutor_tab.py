"""The Tutor tab on a scripted LLM: a turn streams its steps and answer with sources, a stored conversation is picked
up again, empty input gets one sentence; and the same in chromium."""

from typing import Any

from gradio_client import Client
from playwright.sync_api import expect

from corta.app.services import AgentServices
from tests.app.ui.scripted import TUTOR_ANSWER, AppScript

QUESTION = "What is a default argument?"


def turn(client: Client, message: str, conversation: str = "", mode: str = "explain") -> tuple[Any, ...]:
    return client.predict(
        message, mode, "def greet(name):\n    pass", "", conversation, [], api_name="/tutor_turn"
    )


def texts(chat: list[dict[str, Any]]) -> list[str]:
    return [" ".join(part["text"] for part in message["content"]) for message in chat]


def test_a_turn_answers_with_its_sources_and_is_kept_as_a_conversation(
    ui_url: str, ui_script: AppScript, ui_services: AgentServices
) -> None:
    chat, _, status, sources, conversation, conversations, _ = turn(Client(ui_url, verbose=False), QUESTION)
    shown = texts(chat)
    assert shown[0].startswith(QUESTION) and "def greet(name):" in shown[0]  # the pasted code goes with it
    assert chat[1]["metadata"]["title"] == "Steps" and "retrieve" in shown[1]
    assert shown[2].startswith(TUTOR_ANSWER) and "Default Argument Values" in shown[2]
    assert status == ""
    assert sources["headers"] == ["title", "path", "score"]
    assert [row[0] for row in sources["data"]] == ["Default Argument Values", "Function definitions"]
    assert conversations["value"] == conversation
    assert [message.role for message in ui_services.store.messages(conversation)] == ["user", "assistant"]
    assert ui_services.store.conversation(conversation).title == QUESTION


def test_a_stored_conversation_is_shown_again_and_continues_in_hint_mode(
    ui_url: str, ui_script: AppScript, ui_services: AgentServices
) -> None:
    client = Client(ui_url, verbose=False)
    conversation = turn(client, QUESTION)[4]
    chat, picked, sources, _ = client.predict(conversation, api_name="/tutor_conversation")
    assert picked == conversation and len(sources["data"]) == 2
    assert texts(chat)[0].startswith(QUESTION) and texts(chat)[1].startswith(TUTOR_ANSWER)
    assert "**Sources**" in texts(chat)[1]
    turn(client, "And a keyword argument?", conversation, mode="hint")
    stored = ui_services.store.messages(conversation)
    assert [message.role for message in stored] == ["user", "assistant"] * 2
    assert stored[2].meta["mode"] == "hint"
    assert "Learner: What is a default argument?" in ui_script.tutor.prompts_of("draft")[-1]


def test_an_empty_question_or_an_unknown_conversation_gets_one_sentence(
    ui_url: str, ui_script: AppScript
) -> None:
    client = Client(ui_url, verbose=False)
    status = turn(client, "   ")[2]
    assert status == "**Error:** Type a question first."
    status = turn(client, QUESTION, conversation="no-such-id")[2]
    assert status == "**Error:** There is no tutor conversation 'no-such-id'."
    assert ui_script.tutor.requests == []


def test_in_the_browser_a_question_gets_the_answer_and_its_sources(
    browser_page: Any, ui_script: AppScript
) -> None:
    page = browser_page
    page.get_by_label("hint").check()
    page.locator("#tutor-message textarea").fill(QUESTION)
    page.locator("#tutor-ask").click()
    page.locator("#tutor-chat").get_by_text("callers may leave it out").wait_for()
    expect(page.locator("#tutor-sources")).to_contain_text("Default Argument Values")
    assert "Sources" in page.locator("#tutor-chat").inner_text()
    assert page.locator("#tutor-message textarea").input_value() == ""
    # After a reload the conversation is listed, and picking it shows its history.
    page.reload()
    page.locator("#tutor-conversations input").click()
    page.get_by_role("option", name=QUESTION).first.click()
    page.locator("#tutor-chat").get_by_text("callers may leave it out").wait_for()
    assert ui_script.tutor.kinds()[:2] == ["perceive", "draft"]
