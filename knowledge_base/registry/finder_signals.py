"""Whether a message carries anything a childcare search or a registration check could use.

NLU learns "find childcare" from examples that include bare place names and short follow-ups
("要有空位的", "再看几家"), so it sometimes claims a parenting question ("白天小睡只睡半小时就醒")
for the finder. A message with no place, no childcare word, no filter and no paging word is
not a search, whatever the classifier says; the same for a registration check without any
word about registration or a filing number. Runs inside the Rasa server (Python 3.10).
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge_base.registry.address import resolve_location
from knowledge_base.registry.places import Gazetteer, default_gazetteer
from knowledge_base.text import normalise

_PROVIDER = re.compile(
    r"托育|托儿|托班|托位|托所|日托|全托|半托|早教|幼儿园|送托|入托|托管|保育|"
    r"daycare|day care|day-care|nurser(?:y|ies)|child ?care|cr[eè]che|preschool|kindergarten|"
    r"play ?group|tuoyu",
    re.I,
)
_FILTER = re.compile(
    r"普惠|空位|空余|名额|不超过|以内|以下|预算|左右|半日|全日|计时|临时|便宜|实惠|附近|周边|"
    r"离.{0,6}近|近一点|更近|近的|旁边|价格|收费|低一点|收.{0,4}(?:孩子|宝宝|娃|岁|个月)|"
    r"inclusive|affordable|puhui|vacanc|spaces?|spots?|under \d|budget|cheaper|expensive|"
    r"half[- ]day|full[- ]day|hourly|nearby|near|closer|close to|around here|right away|"
    r"takes? (?:a|my|an)\b",
    re.I,
)
_PAGING = re.compile(
    r"再看|更多|还有(?:别的|其他|吗|没有)|其他的|别的呢|下一页|换一批|换(?:个|一个)?(?:地方|区|位置)|"
    r"换成|清除|重置|再来几|多推荐|推荐几家|show (?:me )?more|next page|"
    r"more (?:places|options|results)|any others|"
    r"other (?:places|ones|areas)|\bmore\b|instead",
    re.I,
)
_CHECK = re.compile(
    r"备案|备过案|备了案|备按|注册|登记|正规|资质|合法|合规|靠谱|黑托|黑机构|无证|证照|执照|许可|名单|"
    r"查一?下|查查|查得到|查不到|核实|营业|registered|registration|licen[cs]|legit|legal|filed|"
    r"filing|registry|on the list|certified|\bcheck|look ?up|verify|genuine|official",
    re.I,
)
_FILING_NUMBER = re.compile(r"[A-Za-z]{2,}-?\d{3,}|京.{0,4}备|\d{4}-\d{3,}")


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return default_gazetteer()


def names_a_place(text: str) -> bool:
    resolution = resolve_location(text, _gazetteer())
    return resolution.match is not None or bool(resolution.alternatives)


def could_be_search(text: str) -> bool:
    """A place, a childcare word, a filter or a paging word: something the finder can use."""
    text = normalise(text)
    return bool(
        _PROVIDER.search(text) or _FILTER.search(text) or _PAGING.search(text)
    ) or names_a_place(text)


def could_be_check(text: str) -> bool:
    """A word about registration or licensing, or a filing number."""
    text = normalise(text)
    return bool(_CHECK.search(text) or _FILING_NUMBER.search(text))


def check_not_search(text: str) -> bool:
    """ "这家托育机构靠谱吗": about whether one place is legitimate, with nothing to search by
    (no place, filter or paging word), so a check rather than a search."""
    text = normalise(text)
    if not _CHECK.search(text) or _FILTER.search(text) or _PAGING.search(text):
        return False
    return not names_a_place(text)
