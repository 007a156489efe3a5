"""Try a question: what the bot would answer from the published knowledge base, and why.

Answered by the gateway's LiveGuidance (the same content, index and thresholds the action
server answers parents with) and the same triage decision Rasa makes (the maintained rules and
the classifier over the question's e5 vector). Nothing is recorded in the review queue. Rasa
may still send some messages elsewhere first (a greeting, the childcare finder); the page says
what the knowledge base and triage make of the text.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web

from bot.console.guard import render, requires
from bot.console.kb_desk import KnowledgeBaseDesk
from bot.console.keys import KB
from bot.gateway.keys import TRIAGE
from knowledge_base.danger_signs import EmergencyReply, reply_for_category
from knowledge_base.guidance import GuidanceAnswer
from knowledge_base.language import Language, detect_language
from knowledge_base.live_services import GuidanceSnapshot
from knowledge_base.triage.decision import CHECK, CRISIS, EMERGENCY, TriageDecider, TriageOutcome

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
TIER_NAMES = {
    "answer": "confident: the bot answers with the best entry and its source",
    "maybe": "middle tier: 'these may answer your question', the best entry's first summary "
    "sentence and the top three entries as buttons",
    "none": "not sure: the bot says so and offers the closest topics and 12345",
}


@dataclass(frozen=True)
class TriedQuestion:
    question: str
    language: Language
    language_detected: bool  # False: the text does not tell, the bot keeps Chinese
    triage: TriageOutcome
    classifier_used: bool
    emergency: EmergencyReply | None  # what an emergency or crisis answer says first
    check_question: str
    answer: GuidanceAnswer
    snapshot: GuidanceSnapshot

    @property
    def answered_from_knowledge_base(self) -> bool:
        """An emergency or crisis answer comes instead; a check question comes first."""
        return self.triage.outcome not in (EMERGENCY, CRISIS)


def try_question(desk: KnowledgeBaseDesk, decider: TriageDecider, question: str) -> TriedQuestion:
    """Blocking: may load the embedding model and the index the first time."""
    detected = detect_language(question)
    language: Language = detected or "zh"
    snapshot = desk.live.current()
    classifier = desk.triage_classifier()
    prediction = None
    if classifier is not None:
        vector = desk.live.embedder().embed_queries([question])[0]
        prediction = classifier.predict(question, vector)
    outcome = decider.decide(question, prediction)
    urgent = outcome.outcome in (EMERGENCY, CRISIS)
    emergency = (
        reply_for_category(decider.rules, outcome.category, language, outcome.parent_in_crisis)
        if urgent
        else None
    )
    return TriedQuestion(
        question=question,
        language=language,
        language_detected=detected is not None,
        triage=outcome,
        classifier_used=prediction is not None,
        emergency=emergency,
        check_question=decider.question(outcome.category, language)
        if outcome.outcome == CHECK
        else "",
        answer=snapshot.guidance.answer(question, language, record_misses=False),
        snapshot=snapshot,
    )


def _desk(request: web.Request) -> KnowledgeBaseDesk:
    return request.app[KB]


@requires("editor")
async def try_page(request: web.Request) -> web.StreamResponse:
    question = request.query.get("q", "").strip()[:MAX_QUESTION_CHARS]
    tried = None
    problem = None
    if question:
        try:
            tried = await asyncio.to_thread(
                try_question, _desk(request), request.config_dict[TRIAGE], question
            )
        except (OSError, RuntimeError, ValueError) as error:
            # The model or index is missing or unreadable (`tuoyu setup` not run): say so.
            logger.exception("Try a question failed")
            problem = f"The knowledge base could not be loaded here: {error}"
    return await render(
        "kb_try.html",
        request,
        {"q": question, "tried": tried, "problem": problem, "tier_names": TIER_NAMES},
        status=503 if problem else 200,
    )
