"""Takes `find_childcare` or `check_registration` back from DIET when the message has nothing
either could use (knowledge_base/registry/finder_signals.py), and reads "这家托育机构靠谱吗"
(whether one place is legitimate, nothing to search by) as a registration check.

The next intent in the ranking takes its place with its own confidence, so a low one still
goes through the FallbackClassifier (and from there to the knowledge base, which says honestly
when it does not know). Runs after DIET and before the FallbackClassifier.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge_base.registry.finder_signals import (
    check_not_search,
    could_be_check,
    could_be_search,
)

GUARDED: Dict[Text, Callable[[str], bool]] = {
    "find_childcare": could_be_search,
    "check_registration": could_be_check,
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FinderIntentGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FinderIntentGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            searching = intent.get("name") == "find_childcare" and not text.startswith("/")
            if searching and check_not_search(text):
                self._promote(message, "check_registration", intent)
                continue
            usable = GUARDED.get(intent.get("name") or "")
            if usable is None or text.startswith("/") or usable(text):
                continue
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") not in GUARDED or GUARDED[r["name"]](text)
            ]
            if not ranking:
                continue
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    @staticmethod
    def _promote(message: Message, name: Text, was: Dict[Text, Any]) -> None:
        promoted = {"name": name, "confidence": was.get("confidence", 1.0)}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, promoted, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [promoted, *ranking], add_to_output=True)
