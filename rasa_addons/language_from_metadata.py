"""Turns the language the gateway detected into a `language` entity.

The gateway knows which language a parent writes in (knowledge_base.language) and sends it as
message metadata; as an entity it fills the `language` slot through an ordinary `from_entity`
mapping, which picks the zh or en variation of every response. No extra HTTP call per turn,
and conversation tests (which carry no metadata) see no entity at all.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

LANGUAGES = ("zh", "en")
ENTITY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageFromMetadata(GraphComponent, EntityExtractorMixin):
    """Adds {"entity": "language", "value": "zh"|"en"} when the metadata names one."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageFromMetadata":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            language = metadata.get(ENTITY) if isinstance(metadata, dict) else None
            if language not in LANGUAGES:
                continue
            entity = {
                "entity": ENTITY,
                "value": language,
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "confidence_entity": 1.0,
            }
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            message.set(ENTITIES, entities + self.add_extractor_name([entity]), add_to_output=True)
        return messages
