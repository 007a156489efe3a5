"""Remembers which language each conversation is in, for what the gateway says itself."""

from __future__ import annotations

from collections import OrderedDict

from knowledge_base.language import Language


class ConversationLanguages:
    """A bounded most-recently-used map from sender id to language."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._languages: OrderedDict[str, Language] = OrderedDict()

    def get(self, sender_id: str) -> Language | None:
        language = self._languages.get(sender_id)
        if language is not None:
            self._languages.move_to_end(sender_id)
        return language

    def remember(self, sender_id: str, language: Language) -> None:
        self._languages[sender_id] = language
        self._languages.move_to_end(sender_id)
        while len(self._languages) > self._capacity:
            self._languages.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._languages.pop(sender_id, None)
