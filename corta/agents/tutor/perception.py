"""Perceive: the learner's intent, level and knowledge points in one structured call (Molly's student/teacher
role-play condensed), with a rule-based reading when the model's reply is unusable."""

import logging
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from corta.agents.tutor import prompts
from corta.agents.tutor.request import TutorRequest
from corta.errors import LLMOutputError
from corta.models.llm import LLM

log = logging.getLogger(__name__)

Intent = Literal["concept", "debugging", "code_reading", "exercise_help", "tooling", "off_topic"]
# The knowledge base's encoder reads English only, and asked in Chinese the model wrote its search phrase in Chinese
# (measured: "如何定义一个类？" gave the query "定义类的语法和用法", which ranked string-literal sections first). The
# schema the model fills therefore admits printable ASCII only (less the quote and backslash, which a JSON string
# would have to escape), so constrained decoding writes English.
ENGLISH = r"^[ !#-\[\]-~]+$"


class Perception(BaseModel):
    """What the learner needs, as the retrieval and drafting steps use it."""

    intent: Intent
    level: Literal["beginner", "intermediate", "advanced"] = "beginner"
    knowledge_points: list[str] = Field(default_factory=list, max_length=3)
    query: str = Field(min_length=1)
    needs_clarification: bool = False
    clarifying_question: str = ""


class EnglishReading(Perception):
    """The schema the model fills: a Perception whose knowledge points and search phrase are written in English."""

    knowledge_points: list[Annotated[str, Field(pattern=ENGLISH)]] = Field(default_factory=list, max_length=3)
    query: str = Field(min_length=1, pattern=ENGLISH)


def render_request(request: TutorRequest) -> str:
    """The learner's message with their code and error quoted as data."""
    text = prompts.REQUEST.format(question=request.question)
    if request.code:
        text += prompts.CODE.format(code=request.code)
    if request.error:
        text += prompts.ERROR.format(error=request.error)
    return text


def perceive(llm: LLM, request: TutorRequest, system: str) -> Perception:
    """The model's reading of the request; a rule-based one if the reply cannot be used."""
    try:
        reading = llm.json(
            prompts.PERCEIVE.format(request=render_request(request)),
            EnglishReading,
            system=system,
            purpose="tutor-perceive",
            max_tokens=300,
        )
    except LLMOutputError as error:
        log.info("unusable perception (%s); reading the request by rule", error)
        return fallback_perception(request)
    perception = Perception.model_validate(reading.model_dump())
    if request.code or request.error:
        # A message with code or an error is about Python, whatever the words say.
        if perception.intent == "off_topic":
            perception.intent = "debugging" if request.error else "code_reading"
        perception.needs_clarification = False
    return perception


def fallback_perception(request: TutorRequest) -> Perception:
    """A reading without the model: the error or code decides the intent, the question is the query."""
    intent: Intent = "debugging" if request.error else "code_reading" if request.code else "concept"
    query = " ".join(
        filter(None, [request.question, request.error.splitlines()[-1] if request.error else ""])
    )
    return Perception(intent=intent, query=query[:300])
