"""Emergency triage inside NLU: the decision replaces whatever intent DIET chose.

Runs last, after the classifiers and the FallbackClassifier, so no low-confidence guess can
hide a danger sign. It combines the maintained rules (knowledge_base/safety/danger_signs.yml)
with the triage classifier over the e5 sentence vector the featurizer already computed for
this message, so the second signal costs no second embedding:

- emergency      → intent `emergency` (120/110 and steps first)
- parent crisis  → intent `parent_crisis` (12356, warmth)
- borderline     → intent `triage_check` (one yes/no question)

The category goes along as the entity `triage_category`, so the action says the right steps
even when only the classifier saw the danger; an emergency whose writer is in crisis too
also carries `triage_parent_crisis`, so 12356 follows the steps.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge_base.danger_signs import DEFAULT_DATA, DangerSignDetector
from knowledge_base.triage.classifier import TriageClassifier, read_manifest
from knowledge_base.triage.decision import CHECK, CRISIS, EMERGENCY, TriageDecider

logger = logging.getLogger(__name__)

INTENTS = {EMERGENCY: "emergency", CRISIS: "parent_crisis", CHECK: "triage_check"}
CATEGORY_ENTITY = "triage_category"
PARENT_CRISIS_ENTITY = "triage_parent_crisis"


def _default_classifier_dir() -> Path:
    """TUOYU_TRIAGE_DIR as the supervisor sets it (bot/processes.py), else var/triage."""
    if os.environ.get("TUOYU_TRIAGE_DIR"):
        return Path(os.environ["TUOYU_TRIAGE_DIR"])
    var = os.environ.get("TUOYU_VAR_DIR") or str(Path(__file__).resolve().parents[1] / "var")
    return Path(var) / "triage"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TriageIntentOverride(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"data_path": None, "classifier_dir": None}

    def __init__(self, decider: TriageDecider, classifier: Optional[TriageClassifier]) -> None:
        self._decider = decider
        self._classifier = classifier

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TriageIntentOverride":
        path = Path(config["data_path"]) if config.get("data_path") else DEFAULT_DATA
        decider = TriageDecider.from_files(DangerSignDetector.from_file(path))
        directory = (
            Path(config["classifier_dir"])
            if config.get("classifier_dir")
            else _default_classifier_dir()
        )
        classifier = None
        if read_manifest(directory) is not None:
            classifier = TriageClassifier.load(directory)
        else:
            # Training and `rasa data validate` need no classifier; a running server without
            # one still has the rules, and says so.
            logger.warning("No triage classifier in %s: the rules decide alone", directory)
        return cls(decider, classifier)

    def _vector(self, message: Message) -> Any:
        _, sentence = message.get_dense_features(TEXT)
        if sentence is None:
            return None
        features = sentence.features
        return features[0] if len(features.shape) == 2 else features

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue  # button payloads name their intent themselves
            vector = self._vector(message) if self._classifier is not None else None
            prediction = (
                self._classifier.predict(text, vector)
                if self._classifier is not None and vector is not None
                else None
            )
            outcome = self._decider.decide(text, prediction)
            intent_name = INTENTS.get(outcome.outcome)
            if intent_name is None:
                continue
            intent = {"name": intent_name, "confidence": 1.0}
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") not in INTENTS.values()
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            found = {}
            if outcome.category:
                found[CATEGORY_ENTITY] = outcome.category
            if outcome.parent_in_crisis:
                found[PARENT_CRISIS_ENTITY] = "yes"
            if found:
                ours = [
                    {
                        "entity": name,
                        "value": value,
                        "start": 0,
                        "end": len(text),
                        "confidence_entity": 1.0,
                    }
                    for name, value in found.items()
                ]
                entities = [
                    e
                    for e in message.get(ENTITIES, [])
                    if e.get("entity") not in (CATEGORY_ENTITY, PARENT_CRISIS_ENTITY)
                ]
                message.set(ENTITIES, entities + self.add_extractor_name(ours), add_to_output=True)
        return messages
