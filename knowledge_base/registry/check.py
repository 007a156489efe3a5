"""Is this place registered? Matching a name or address as parents type or paste it.

Parents paste ads ("火爆招生！XX宝贝托育中心 电话138…"), half-remember names or mistype them,
so names are compared by shared character pairs rather than equality, after the words every
ad uses are removed. Candidates come from an inverted index, so a query touches only the
institutions that share some characters with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base import text as text_layer
from knowledge_base.registry.model import Institution

_NOISE = re.compile(
    r"https?://\S+|\d{7,}|[\d-]{9,}|了吗|了没有?|火爆|招生|报名|热线|电话|咨询|优惠|欢迎|预约|试听|免费|"
    r"立即|马上|名额有限|限时|活动|地址|联系|微信|请问|这个|这家|是不是|有没有|备案|正规|吗|呢|"
    r"北京市?|示例"
)
_GENERIC = ("托育", "中心", "有限公司", "幼儿园", "托班", "早教", "宝贝", "机构", "园")
# Knowledge-base entries behind "not found: what it means and how to report".
NOT_FOUND_ENTRIES = ("registration-filing-public-info", "who-is-responsible-complaints")
MIN_SCORE = 0.45
STRONG_SCORE = 0.75


def normalise(text: str) -> str:
    """The text layer's form, lower case, without noise words or punctuation."""
    text = text_layer.normalise(text, numerals=False).lower()
    text = _NOISE.sub(" ", text)
    return re.sub(r"[\W_]+", "", text)


def bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class CheckMatch:
    institution: Institution
    score: float

    @property
    def strong(self) -> bool:
        return self.score >= STRONG_SCORE


class RegistrationCheck:
    def __init__(self, items: Sequence[Institution]) -> None:
        self._items = list(items)
        self._by_number = {i.registration_no.lower(): i for i in self._items}
        self._name_grams: list[list[set[str]]] = []
        self._address_grams: list[set[str]] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        for position, item in enumerate(self._items):
            # The name with and without a branch in brackets ("（望京店）").
            names = [bigrams(_core_name(normalise(n))) for n in _name_forms(item.name)]
            address = bigrams(normalise(item.address))
            self._name_grams.append([n for n in names if n])
            self._address_grams.append(address)
            for gram in set().union(*names, address):
                self._index[gram].append(position)

    def check(self, query: str, *, limit: int = 5) -> list[CheckMatch]:
        raw = query.strip()[:500]
        for token in re.findall(r"[A-Za-z0-9-]{4,}", raw):
            exact = self._by_number.get(token.lower())
            if exact is not None:
                return [CheckMatch(exact, 1.0)]
        grams = bigrams(_core_name(normalise(raw)))
        if not grams:
            return []
        shared: Counter[int] = Counter()
        for gram in grams:
            postings = self._index.get(gram, ())
            if len(postings) > 5000:
                continue  # a pair nearly every name has says nothing
            shared.update(postings)
        matches = []
        for position, _ in shared.most_common(200):
            address = self._address_grams[position]
            # How much of the institution's name the query contains, and how much of the
            # query the name explains: both high means the same place.
            name_score = 0.0
            for name in self._name_grams[position]:
                covered = len(name & grams)
                score = (covered / len(name)) * 0.7 + (covered / len(grams)) * 0.3
                name_score = max(name_score, score)
            address_score = len(address & grams) / len(address) if address else 0.0
            score = max(name_score, 0.8 * address_score)
            if score >= MIN_SCORE:
                matches.append(CheckMatch(self._items[position], round(score, 3)))
        matches.sort(key=lambda m: (m.score, not m.institution.deregistered), reverse=True)
        return matches[:limit]


def _name_forms(name: str) -> list[str]:
    without_branch = re.sub(r"[（(【\[].*?[）)】\]]", "", name)
    return [name, without_branch] if without_branch != name else [name]


def _core_name(text: str) -> str:
    """The distinctive part of a name: generic words removed unless nothing else is left."""
    core = text
    for word in _GENERIC:
        core = core.replace(word, "")
    return core if len(core) >= 2 else text


_ASKING = re.compile(
    r"帮我|帮忙|麻烦|查一?下|查查|查询|看看|看一下|核实|确认|请问|想知道|是否|是不是|有没有|在不在|"
    r"名单|里面?|合法|正规|靠谱|可靠|资质|的|了|吧|啊|呀|一家|那家|这家|叫|想查|想问|问问|问一下|查|"
    r"\b(?:is|are|the|a|an|in|on|of|it|this|that|place|list|registry|register(?:ed)?|licensed|"
    r"legit(?:imate)?|filed|check|please|can|you|could|whether|if|daycare|nursery|centre|center|"
    r"childcare|tell|me|know|want|to|on the list|official)\b",
    re.I,
)


def searchable_part(text: str) -> str:
    """What is left of a message once the asking and generic words are gone: a name, an
    address or a number when the parent gave one, else (nearly) nothing."""
    if re.search(r"[A-Za-z0-9-]*\d[A-Za-z0-9-]{3,}", text) and re.search(
        r"备|sample|京", text, re.I
    ):
        return normalise(text)
    core = _ASKING.sub(" ", unicodedata.normalize("NFKC", text))
    core = normalise(core)
    for word in _GENERIC:
        core = core.replace(word, "")
    return core
