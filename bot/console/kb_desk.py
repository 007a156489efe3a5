"""The knowledge-base desk: what the console's knowledge-base pages work with.

The gateway holds its own LiveGuidance over the same content and index folders as the action
server, so "try a question" answers exactly as parents are answered, and publishing rebuilds
the index here, in the background, while the bot keeps answering.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.console.kb_publishing import IndexRebuilds
from knowledge_base.content_store import ContentStore
from knowledge_base.live_services import LiveGuidance
from knowledge_base.triage.classifier import TriageClassifier, read_manifest


@dataclass
class KnowledgeBaseDesk:
    """The content store, the live guidance and the index rebuilds of one console."""

    store: ContentStore
    live: LiveGuidance
    rebuilds: IndexRebuilds
    triage_dir: Path
    _classifier: TriageClassifier | None = None
    _classifier_tried: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def triage_classifier(self) -> TriageClassifier | None:
        """The triage classifier Rasa uses, when `tuoyu setup` has trained one (loaded once)."""
        with self._lock:
            if not self._classifier_tried:
                self._classifier_tried = True
                if read_manifest(self.triage_dir) is not None:
                    self._classifier = TriageClassifier.load(self.triage_dir)
            return self._classifier
