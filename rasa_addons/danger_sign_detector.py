"""Makes any message with a danger sign the `emergency` intent, whatever DIET thought.

Runs after the classifiers (and the FallbackClassifier), so a danger sign is never lost to a
low-confidence guess or routed to a search: the `emergency` rule answers with 120/110 and
immediate steps first. The signs are maintained data (knowledge_base/safety/danger_signs.yml),
read when the Rasa server starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge_base.danger_signs import DEFAULT_DATA, DangerSignDetector

EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DangerSignIntentOverride(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"data_path": None}

    def __init__(self, detector: DangerSignDetector) -> None:
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DangerSignIntentOverride":
        path = Path(config["data_path"]) if config.get("data_path") else DEFAULT_DATA
        return cls(DangerSignDetector.from_file(path))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads name their intent themselves
            sign = self._detector.detect(text)
            if sign is None:
                continue
            emergency = {"name": EMERGENCY_INTENT, "confidence": 1.0}
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") != EMERGENCY_INTENT
            ]
            message.set(INTENT, emergency, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [emergency, *ranking], add_to_output=True)
        return messages
