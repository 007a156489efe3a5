"""One text layer for every reader of a parent's words: the Rasa components, the actions and
the gateway all see a message the same way.

- `normalise`: full-width to half-width, traditional to simplified (OpenCC), plain spacing.
- `arabic_numerals`: Chinese numerals before a unit become digits ("发烧四天" → "发烧4天").
- `age_in_months`: the child's age, never a duration ("发烧4天" is not a 4-day-old baby).

Runs in both Python environments (Rasa's is 3.10): keep it compatible.
"""

from knowledge_base.text.ages import age_in_months
from knowledge_base.text.normalise import normalise, simplified
from knowledge_base.text.numerals import arabic_numerals, chinese_number

__all__ = ["age_in_months", "arabic_numerals", "chinese_number", "normalise", "simplified"]
