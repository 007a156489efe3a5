"""Keeps greet, goodbye, thanks, affirm and deny to messages that could be only that, and
"are you a bot?" to messages that are not about a child.

DIET learnt "不" and "没" as a "no", so "孩子不睡觉怎么办" got "好的，有需要随时找我". A message
that asks something, talks about a child or runs longer than a few words is not a dialogue act
(knowledge_base/text/scope.py): the best other intent in the ranking takes its place with its
own confidence, so a weak one still falls back to the knowledge base. Short yes/no replies to
the bot's own questions are kept as they are.

Runs after DIET and before the finder's guard and the FallbackClassifier.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge_base.text.scope import could_be_dialogue_act, mentions_parenting

DIALOGUE_ACTS = frozenset({"greet", "goodbye", "thanks", "affirm", "deny"})
# "Are you a bot?" whatever its length, unless it is about a child ("路由器放婴儿房有辐射吗").
BOT_CHALLENGE = "bot_challenge"
GUARDED = DIALOGUE_ACTS | {BOT_CHALLENGE}
# When every other intent in the ranking is a dialogue act too, the message is a question.
QUESTION_INTENT = "ask_guidance"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DialogueActGuard(GraphComponent):
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
    ) -> "DialogueActGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            name = intent.get("name")
            if name not in GUARDED or text.startswith("/"):
                continue
            if name == BOT_CHALLENGE and not mentions_parenting(text):
                continue
            if name in DIALOGUE_ACTS and could_be_dialogue_act(text):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            ranking = [r for r in ranking if r.get("name") not in GUARDED]
            if not ranking:
                ranking = [{"name": QUESTION_INTENT, "confidence": intent.get("confidence", 1.0)}]
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
