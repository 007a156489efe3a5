"""Where a parent says they live, read from free text: a place, a road, or a district.

Parents type places in many shapes: "朝阳区望京街道阜通东大街6号", "我家在丰台区方庄芳城园一区",
"住在回龙观", "海淀八里庄", "Wangjing, Chaoyang", "near Guomao". `parse_address` splits such text
into district, subdistrict, road and house number; `resolve_location` turns it into one point with
a precision, or the choices when a name is ambiguous (八里庄 is in 朝阳区 and in 海淀区).

Where the points come from: subdistricts, districts and area names from the gazetteer the
project ships (`Gazetteer.source` states its sources; about 1-2 km accurate); roads from the
registry's own addresses (`RoadLocator`). Nothing is fetched and nothing new is installed.

The most specific reliable thing wins:
1. a subdistrict or area named (consistent with the district, if one is named; a district named
   with a subdistrict of another district keeps the subdistrict only if that name is unique);
2. a road the registry knows, in that district;
3. an area named only as part of a road's name ("望京西路" -> 望京);
4. the district's centre.

Short names that are also ordinary words (安定, 光明, 清水, 八角, 常营 as in 经常营养) count only
with support: a district named, a place word next to them (住在…, …附近) or standing alone.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge_base import text as text_layer
from knowledge_base.registry.model import DISTRICTS, Institution
from knowledge_base.registry.places import Gazetteer

DEV_ZONE = "北京经济技术开发区"
# The development zone administers parts of 大兴区 and 通州区: names there are consistent with it.
_COMPATIBLE: dict[str, frozenset[str]] = {
    DEV_ZONE: frozenset({"大兴区", "通州区"}),
    "大兴区": frozenset({DEV_ZONE}),
    "通州区": frozenset({DEV_ZONE}),
}
_EXTRA_DISTRICT_FORMS = {
    "亦庄经济技术开发区": DEV_ZONE,
    "北京亦庄经济技术开发区": DEV_ZONE,
    "经济技术开发区": DEV_ZONE,
    "亦庄经济开发区": DEV_ZONE,
}
_CITY = ("北京市", "北京")
_SUBDISTRICT_SUFFIXES = ("街道", "地区", "镇", "乡")
_ETHNIC = ("回族", "满族")  # 于家务回族乡 is called 于家务
_SAME_PLACE_KM = 2.0
_MAX_ALTERNATIVES = 5
# Misspellings common enough to be worth mending (wrong character, same sound).
_TYPOS = (
    ("回龙关", "回龙观"),
    ("天通园", "天通苑"),
    ("十刹海", "什刹海"),
    ("伐头", "垡头"),
    ("通洲", "通州"),
    ("海定区", "海淀区"),
    ("崔格庄", "崔各庄"),
    ("豆格庄", "豆各庄"),
)

# Short names (subdistrict names without 街道/地区/镇/乡, and a few area aliases) that are also
# ordinary words or sit inside ordinary words; they need support to count as a place.
_COMMON_WORDS_TEXT = (
    "上庄 东升 东四 东湖 东风 中仓 仁和 儒林 光明 兴丰 兴寿 北庄 北宫 北房 南口 博兴 双丰 向阳 "
    "和义 四海 城关 城北 城南 城子 大台 天桥 安定 宝山 将台 小关 平房 康庄 延寿 德胜 文景 新华 "
    "新村 新镇 旧县 旺泉 星城 景山 曙光 月坛 果园 永宁 永定 永顺 河北 泉河 清水 清源 温泉 滨河 "
    "渤海 王平 百善 百泉 石园 石城 空港 老山 胜利 花乡 荣华 迎风 通运 采育 金盏 长沟 香山 高岭 "
    "鼓楼 龙山 龙泉 龙潭 井庄 香营 马坡 石楼 木林 椿树 礼贤 看丹 "
    "前门 古城 八角 上地 梨园 天竺 燕山 北辰 永丰 长阳 常营 西单 东单 角门 新宫"
)
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
# Words around a short name that show it is meant as a place.
_PLACE_BEFORE = ("住在", "家住", "家在", "位于", "靠近", "搬到", "搬去", "离")
_PLACE_AFTER = (
    "附近", "周边", "周围", "一带", "这边", "那边", "这儿", "那儿", "这里", "那里", "片区",
    "区域", "地铁站", "小区", "社区", "有没有", "有什么", "有哪", "的托", "托育", "托班", "幼儿园",
)  # fmt: skip

# Text that is never part of a road name: chat words around a place.
_STOP_WORDS = (
    "附近", "周边", "周围", "旁边", "一带", "这边", "那边", "这儿", "那儿", "这里", "那里", "哪里",
    "哪儿", "一下", "托育", "托班", "机构", "幼儿园", "宝宝", "孩子", "小孩", "小区", "社区",
    "个月", "多少", "什么", "怎么", "上班", "工作", "公司", "对面",
)  # fmt: skip
_STOP_CHARS = (
    "我你他她的了吗呢吧啊呀哦嗯在住是有想找要帮请问能可怎哪谁几岁元钱"
    "近边去到从还也就很或与跟给把被让"
)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_ROAD_SUFFIX = r"(?:大街|大道|胡同|路|街(?!道)|巷|[东西南北中]里|[一二三四五六七八九十]{1,2}条)"
_RING = r"[东西南北]?[二三四五六七]环(?:[东西南北中]?路|辅路)?"
_ROAD_RE = re.compile(rf"{_RING}|[{_CJK}]{{2,10}}?{_ROAD_SUFFIX}")
_RING_RE = re.compile(_RING)
_ROAD_END_RE = re.compile(
    r"(?:大街|大道|胡同|[东西南北中]里|[一二三四五六七八九十]{1,2}条|路|街|巷)$"
)
_NOT_A_ROAD_RE = re.compile(r"[走迷带上让领问修逛过开](?:路|街)$")  # 走路, 逛街: verbs, not roads
_HOUSE_RE = re.compile(r"[甲乙丙丁]?\d+(?:[-之]\d+)?号")
_STOP_RE = re.compile("|".join([*_STOP_WORDS, f"[{_STOP_CHARS}]"]))
_BLOCK_RE = re.compile("|".join([*_STOP_WORDS, f"[{_STOP_CHARS}]", f"[^{_CJK}]+"]))
_SPACE_RE = re.compile(r"\s+")

# English: district pinyin and common area names, to names the gazetteer has. Syllables are
# written apart so that "Wang Jing", "wang-jing" and "Wangjing" all match.
_ENGLISH_DISTRICTS = {
    "dong cheng": "东城区", "xi cheng": "西城区", "chao yang": "朝阳区", "hai dian": "海淀区",
    "feng tai": "丰台区", "shi jing shan": "石景山区", "men tou gou": "门头沟区",
    "fang shan": "房山区", "tong zhou": "通州区", "shun yi": "顺义区", "chang ping": "昌平区",
    "da xing": "大兴区", "huai rou": "怀柔区", "ping gu": "平谷区", "mi yun": "密云区",
    "yan qing": "延庆区",
    "beijing economic technological development area": DEV_ZONE,
    "beijing economic and technological development area": DEV_ZONE,
    "economic technological development area": DEV_ZONE,
}  # fmt: skip
ENGLISH_AREAS = {
    "wang jing": "望京", "guo mao": "国贸", "cbd": "CBD", "san li tun": "三里屯",
    "zhong guan cun": "中关村", "wu dao kou": "五道口", "hui long guan": "回龙观",
    "tian tong yuan": "天通苑", "yi zhuang": "亦庄", "e town": "亦庄", "shang di": "上地",
    "xi er qi": "西二旗", "xi san qi": "西三旗", "jiu xian qiao": "酒仙桥", "ya yun cun": "亚运村",
    "olympic park": "奥林匹克公园", "olympic village": "奥运村", "ao yun cun": "奥运村",
    "chao yang park": "朝阳公园", "chao yang men": "朝阳门", "fang zhuang": "方庄",
    "shuang jing": "双井", "jin song": "劲松", "pan jia yuan": "潘家园", "da wang lu": "大望路",
    "wang fu jing": "王府井", "xi dan": "西单", "dong dan": "东单", "dong zhi men": "东直门",
    "xi zhi men": "西直门", "qian men": "前门", "hou hai": "后海", "shi cha hai": "什刹海",
    "financial street": "金融街", "jin rong jie": "金融街", "liang ma qiao": "亮马桥",
    "tuan jie hu": "团结湖", "an zhen": "安贞", "hua jia di": "花家地", "chang ying": "常营",
    "qing he": "清河", "wan liu": "万柳", "zhi chun lu": "知春路", "gong zhu fen": "公主坟",
    "wu ke song": "五棵松", "lu gu": "鲁谷", "ping guo yuan": "苹果园", "ma jia pu": "马家堡",
    "ma jia bao": "马家堡", "song jia zhuang": "宋家庄", "liu li qiao": "六里桥",
    "huo ying": "霍营", "li shui qiao": "立水桥", "sha he": "沙河", "liang xiang": "良乡",
    "huang cun": "黄村", "jiu gong": "旧宫", "xi hong men": "西红门", "li yuan": "梨园",
    "song zhuang": "宋庄", "ma ju qiao": "马驹桥", "hou sha yu": "后沙峪", "tian zhu": "天竺",
    "sub center": "城市副中心", "sub centre": "城市副中心", "ba li zhuang": "八里庄",
    "bei yuan": "北苑", "lai guang ying": "来广营", "tai yang gong": "太阳宫",
    "tian tan": "天坛", "temple of heaven": "天坛", "he ping li": "和平里",
    "capital airport": "首都机场",
}  # fmt: skip
_ENGLISH_DROP = ("bei jing",)


def _english_pattern() -> re.Pattern[str]:
    keys = sorted({*_ENGLISH_DISTRICTS, *ENGLISH_AREAS, *_ENGLISH_DROP}, key=len, reverse=True)
    names = "|".join(r"[\s\-']?".join(map(re.escape, key.split())) for key in keys)
    suffix = r"(?:\s*(?:district|sub-?district|qu|area))?"
    return re.compile(rf"(?<![a-z])(?P<name>{names}){suffix}(?![a-z])", re.IGNORECASE)


_ENGLISH_RE = _english_pattern()
_ENGLISH_KEYS = {
    key.replace(" ", ""): name
    for key, name in {
        **_ENGLISH_DISTRICTS,
        **ENGLISH_AREAS,
        **dict.fromkeys(_ENGLISH_DROP, ""),
    }.items()
}


@dataclass(frozen=True)
class ParsedAddress:
    district: str | None  # canonical gazetteer district name, e.g. "朝阳区"
    subdistrict: str | None  # canonical gazetteer subdistrict name, e.g. "望京街道"
    road: str | None  # e.g. "阜通东大街", "学院路"
    house_number: str | None  # e.g. "6号"


@dataclass(frozen=True)
class LocationMatch:
    label: str  # what to show the parent, e.g. "朝阳区望京街道" / "海淀区中关村大街附近"
    latitude: float
    longitude: float
    district: str
    subdistrict: str | None
    precision: str  # "road", "alias", "subdistrict" or "district"


@dataclass(frozen=True)
class LocationResolution:
    match: LocationMatch | None  # None when nothing found or ambiguous
    alternatives: tuple[LocationMatch, ...]  # when ambiguous: the choices, at most 5


# --- the gazetteer as a lexicon of names ------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    kind: str  # "city", "district", "subdistrict" or "alias"
    admin: bool  # a full administrative name (北京市, 朝阳区, 望京街道): never inside a road name
    primary: tuple[LocationMatch, ...]
    secondary: tuple[LocationMatch, ...] = ()  # same name elsewhere: 北苑 (alias 朝阳, 通州街道)
    weak: bool = False


@dataclass(frozen=True)
class _Lexicon:
    entries: dict[str, _Entry]
    first_chars: frozenset[str]
    longest: int
    district_matches: dict[str, LocationMatch]


def _short_forms(name: str) -> set[str]:
    forms = set()
    for suffix in _SUBDISTRICT_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            short = name[: -len(suffix)]
            forms.add(short)
            for ethnic in _ETHNIC:
                if short.endswith(ethnic) and len(short) - len(ethnic) >= 2:
                    forms.add(short[: -len(ethnic)])
    return forms


def _alias_label(name: str, district: str) -> str:
    if district == DEV_ZONE or name.startswith(district.removesuffix("区")):
        return name
    return f"{district}{name}"


def _build_lexicon(gazetteer: Gazetteer) -> _Lexicon:
    entries: dict[str, _Entry] = {}
    full: dict[str, list[LocationMatch]] = {}
    short: dict[str, list[LocationMatch]] = {}
    districts: dict[str, LocationMatch] = {}
    for district, info in gazetteer.districts.items():
        lat, lon = info["centre"]
        districts[district] = LocationMatch(
            district, float(lat), float(lon), district, None, "district"
        )
        for name, (lat, lon) in (info.get("subdistricts") or {}).items():
            match = LocationMatch(
                f"{district}{name}", float(lat), float(lon), district, name, "subdistrict"
            )
            full.setdefault(name, []).append(match)
            for form in _short_forms(name):
                short.setdefault(form, []).append(match)
    for name, matches in short.items():
        entries[name] = _Entry("subdistrict", False, tuple(matches), weak=name in _COMMON_WORDS)
    for name, place in gazetteer.aliases.items():
        same = [m for m in short.get(name, []) if m.district == place.district]
        alias = LocationMatch(
            _alias_label(name, place.district),
            place.latitude,
            place.longitude,
            place.district,
            same[0].subdistrict if len(same) == 1 else None,
            "alias",
        )
        others = tuple(m for m in short.get(name, []) if m not in same)
        entries[name] = _Entry("alias", False, (alias,), others, weak=name in _COMMON_WORDS)
    for name, matches in full.items():
        entries[name] = _Entry("subdistrict", True, tuple(matches))
    forms = {district: district for district in districts}
    forms.update({d.removesuffix("区"): d for d in districts if d.endswith("区") and d != DEV_ZONE})
    forms.update(
        {k: v for k, v in {**DISTRICTS, **_EXTRA_DISTRICT_FORMS}.items() if v in districts}
    )
    for form, district in forms.items():
        admin = form != district.removesuffix("区") or form == district
        entries[form] = _Entry("district", admin, (districts[district],))
    for city in _CITY:
        entries[city] = _Entry("city", True, ())
    return _Lexicon(
        entries,
        frozenset(name[0] for name in entries),
        max(map(len, entries)),
        districts,
    )


_LEXICONS: dict[int, tuple[Gazetteer, _Lexicon]] = {}


def _lexicon(gazetteer: Gazetteer) -> _Lexicon:
    # Gazetteer holds dicts, so it is not hashable: remember lexicons by identity.
    cached = _LEXICONS.get(id(gazetteer))
    if cached is not None and cached[0] is gazetteer:
        return cached[1]
    lexicon = _build_lexicon(gazetteer)
    if len(_LEXICONS) >= 8:
        _LEXICONS.clear()
    _LEXICONS[id(gazetteer)] = (gazetteer, lexicon)
    return lexicon


# --- reading the text -------------------------------------------------------------------------


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _english(match: re.Match[str]) -> str:
    name = _ENGLISH_KEYS.get(re.sub(r"[\s\-']", "", match["name"].lower()), "")
    return f",{name}," if name else ","


def _normalise(text: str) -> str:
    """The text layer's form (numerals kept: 万年花城), English names to Chinese, no spaces,
    common typos mended."""
    text = text_layer.normalise(text, numerals=False)
    text = _ENGLISH_RE.sub(_english, text)
    text = _SPACE_RE.sub("", text)
    for wrong, right in _TYPOS:
        text = text.replace(wrong, right)
    return text


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    name: str
    entry: _Entry


@dataclass(frozen=True)
class _Road:
    full_start: int  # where the road-shaped text starts ("朝阳望京西路")
    start: int  # where the road's own name starts, leading place names left out ("望京西路")
    end: int
    ring: bool

    def full(self, text: str) -> str:
        return text[self.full_start : self.end]

    def name(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class _Reading:
    districts: tuple[str, ...]  # named outright, in order
    places: tuple[_Entry, ...]  # subdistricts and areas named outright
    inferred: tuple[_Entry, ...]  # areas named only inside a road's name
    inferred_districts: tuple[str, ...]
    roads: tuple[str, ...]  # road-shaped text as written (leading place names kept)
    road: str | None
    house_number: str | None


def _scan(text: str, lexicon: _Lexicon) -> list[_Token]:
    """Leftmost-longest names of the lexicon in text."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in lexicon.first_chars:
            for size in range(min(lexicon.longest, n - i), 1, -1):
                name = text[i : i + size]
                entry = lexicon.entries.get(name)
                if entry is not None and (not name.isascii() or _ascii_bounded(text, i, i + size)):
                    tokens.append(_Token(i, i + size, name, entry))
                    i += size
                    break
            else:
                i += 1
        else:
            i += 1
    return tokens


def _ascii_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


def _body_length(road: str) -> int:
    end = _ROAD_END_RE.search(road)
    return end.start() if end else 0


def _is_road(text: str) -> bool:
    return not _NOT_A_ROAD_RE.search(text)


def _find_roads(text: str, tokens: Sequence[_Token]) -> list[_Road]:
    n = len(text)
    blocked = [not _is_cjk(char) for char in text]
    protected = [False] * n
    for token in tokens:
        for i in range(token.start, token.end):
            if token.entry.admin:
                blocked[i] = True
            else:
                protected[i] = True
    for stop in _STOP_RE.finditer(text):
        for i in range(stop.start(), stop.end()):
            if not protected[i]:
                blocked[i] = True
    starts = {token.start: token for token in tokens if not token.entry.admin}
    roads: list[_Road] = []
    i = 0
    while i < n:
        if blocked[i]:
            i += 1
            continue
        j = i
        while j < n and not blocked[j]:
            j += 1
        for found in _ROAD_RE.finditer(text, i, j):
            if not _is_road(found.group()):
                continue
            ring = bool(_RING_RE.fullmatch(found.group()))
            start = found.start()
            # "朝阳望京西路", "望京阜通东大街": a place before a road's own name is not part of it;
            # "望京西路", "中关村大街" keep theirs (what would be left is no name: "西路", "大街").
            while not ring and (lead := starts.get(start)) and lead.end < found.end():
                if _body_length(text[lead.end : found.end()]) < 2:
                    break
                start = lead.end
            roads.append(_Road(found.start(), start, found.end(), ring))
        i = j
    return roads


def _supported(token: _Token, text: str, districts: Sequence[str]) -> bool:
    """A short name that is also an ordinary word counts only with a sign that it is a place."""
    if districts:
        return any(
            _compatible(m.district, districts)
            for m in (*token.entry.primary, *token.entry.secondary)
        )
    before = text[token.start - 1] if token.start else ""
    after = text[token.end] if token.end < len(text) else ""
    if not _is_cjk(before) and not _is_cjk(after):
        return True
    return text.startswith(_PLACE_AFTER, token.end) or text[: token.start].endswith(_PLACE_BEFORE)


def _read(text: str, gazetteer: Gazetteer) -> _Reading:
    text = _normalise(text)
    tokens = _scan(text, _lexicon(gazetteer))
    roads = _find_roads(text, tokens)
    districts: list[str] = []
    inferred_districts: list[str] = []
    named: list[_Token] = []
    inferred: list[_Entry] = []
    for token in tokens:
        if token.entry.kind == "city":
            continue
        road = next((r for r in roads if r.full_start <= token.start < r.end), None)
        inside = (
            road is not None
            and token.start >= road.start
            and (token.start, token.end) != (road.start, road.end)
        )
        if token.entry.kind == "district":
            district = token.entry.primary[0].district
            target = inferred_districts if inside else districts
            if district not in target:
                target.append(district)
        elif not inside:
            named.append(token)
        elif (
            road is not None
            and not road.ring
            and not token.entry.weak
            # 朝阳门外大街 is outside the gate, in another district than 朝阳门街道.
            and not text.startswith("外", token.end)
        ):
            inferred.append(token.entry)
    places = tuple(t.entry for t in named if not t.entry.weak or _supported(t, text, districts))
    house = None
    if roads:
        number = _HOUSE_RE.match(text, roads[0].end)
        house = number.group() if number else None
    return _Reading(
        districts=tuple(districts),
        places=places,
        inferred=tuple(inferred),
        inferred_districts=tuple(inferred_districts),
        roads=tuple(r.full(text) for r in roads),
        road=roads[0].name(text) if roads else None,
        house_number=house,
    )


# --- deciding ---------------------------------------------------------------------------------


def _compatible(district: str, named: Iterable[str]) -> bool:
    return any(district == d or district in _COMPATIBLE.get(d, ()) for d in named)


def _km(a: LocationMatch, b: LocationMatch) -> float:
    dy = (a.latitude - b.latitude) * 110.57
    dx = (a.longitude - b.longitude) * 111.32 * math.cos(math.radians(a.latitude))
    return math.hypot(dx, dy)


def _same_place(a: LocationMatch, b: LocationMatch) -> bool:
    if not _compatible(a.district, (b.district,)):
        return False
    if a.subdistrict is not None and a.district == b.district and a.subdistrict == b.subdistrict:
        return True
    return a.label == b.label or _km(a, b) <= _SAME_PLACE_KM


def _distinct(matches: Iterable[LocationMatch]) -> list[LocationMatch]:
    kept: list[LocationMatch] = []
    for match in matches:
        if not any(_same_place(match, k) for k in kept):
            kept.append(match)
    return kept


def _choose(
    entries: Sequence[_Entry], named: Sequence[str], *, strict: bool = False
) -> LocationResolution | None:
    """One place, the choices, or None to fall back to something less specific."""
    if not entries:
        return None
    if named:
        choices = [
            m for e in entries for m in (*e.primary, *e.secondary) if _compatible(m.district, named)
        ]
        if not choices:
            if strict:
                return None
            # A district named with a place of another district: the place, if it is unique.
            other = _distinct(m for e in entries for m in e.primary)
            return LocationResolution(other[0], ()) if len(other) == 1 else None
    else:
        choices = [m for e in entries for m in e.primary]
    distinct = _distinct(choices)
    if len(distinct) == 1:
        return LocationResolution(distinct[0], ())
    if strict:
        return None
    return LocationResolution(None, tuple(distinct[:_MAX_ALTERNATIVES]))


def _decide(reading: _Reading, lexicon: _Lexicon, roads: RoadLocator | None) -> LocationResolution:
    named = reading.districts
    chosen = _choose(reading.places, named)
    if chosen is not None:
        return chosen
    if roads is not None:
        for road in reading.roads:
            match = roads.locate(road, named[0] if len(named) == 1 else None)
            if match is not None and (len(named) < 2 or match.district in named):
                return LocationResolution(match, ())
    chosen = _choose(reading.inferred, named, strict=True)
    if chosen is not None:
        return chosen
    districts = named or reading.inferred_districts
    matches = [lexicon.district_matches[d] for d in districts]
    if len(matches) == 1:
        return LocationResolution(matches[0], ())
    return LocationResolution(None, tuple(matches[:_MAX_ALTERNATIVES]))


def parse_address(text: str, gazetteer: Gazetteer) -> ParsedAddress:
    """District, subdistrict, road and house number in what a parent typed, as far as it says.

    District and subdistrict are canonical gazetteer names, or None when not said or ambiguous
    (八里庄 alone). A subdistrict may come from an area named ("方庄" -> 方庄街道), also inside a
    road's name ("中关村大街" -> 中关村街道) when nothing more specific is said.
    """
    lexicon = _lexicon(gazetteer)
    reading = _read(text, gazetteer)
    match = _decide(reading, lexicon, None).match
    return ParsedAddress(
        district=match.district if match else None,
        subdistrict=match.subdistrict if match else None,
        road=reading.road,
        house_number=reading.house_number,
    )


def resolve_location(
    text: str, gazetteer: Gazetteer, roads: RoadLocator | None = None
) -> LocationResolution:
    """The point a parent means, most specific reliable first, or the choices if ambiguous."""
    return _decide(_read(text, gazetteer), _lexicon(gazetteer), roads)


# --- roads learnt from the registry -----------------------------------------------------------


def registry_road(address: str, district: str = "", subdistrict: str = "") -> str | None:
    """The road in a registry address, with its own district and subdistrict left out."""
    text = _SPACE_RE.sub("", unicodedata.normalize("NFKC", address))
    for prefix in (*_CITY, district, district.removesuffix("区"), subdistrict):
        if len(prefix) >= 2:
            text = text.removeprefix(prefix)
    for piece in _BLOCK_RE.split(text):
        for found in _ROAD_RE.finditer(piece):
            road = found.group()
            if not _is_road(road):
                continue
            for short in _short_forms(subdistrict):
                if road.startswith(short) and _body_length(road[len(short) :]) >= 2:
                    road = road[len(short) :]
            return road
    return None


@dataclass(frozen=True)
class _RoadEntry:
    count: int
    match: LocationMatch | None  # None when the institutions on it are too spread to agree


class RoadLocator:
    """Road names learnt from the registry's own addresses: a road most institutions on it
    share gives a point (median of their coordinates) and the subdistrict most of them are in.

    Per road and district, the point counts only if more than half the institutions lie within
    `radius_km` of it and at least `min_share` of them are in one subdistrict, so a long road
    or a placeholder ("示例路" in every subdistrict) gives no point.
    """

    def __init__(self, roads: dict[str, dict[str, _RoadEntry]]) -> None:
        self._roads = roads

    def __len__(self) -> int:
        return sum(1 for by in self._roads.values() for e in by.values() if e.match is not None)

    @classmethod
    def from_institutions(
        cls, items: Iterable[Institution], *, radius_km: float = 2.0, min_share: float = 0.5
    ) -> RoadLocator:
        groups: dict[tuple[str, str], list[Institution]] = {}
        for item in items:
            if not (39.4 <= item.latitude <= 41.1 and 115.4 <= item.longitude <= 117.5):
                continue
            road = registry_road(item.address, item.district, item.subdistrict)
            if road:
                groups.setdefault((road, item.district), []).append(item)
        roads: dict[str, dict[str, _RoadEntry]] = {}
        for (road, district), on_road in groups.items():
            match = _road_point(road, district, on_road, radius_km, min_share)
            roads.setdefault(road, {})[district] = _RoadEntry(len(on_road), match)
        return cls(roads)

    def locate(self, road: str, district: str | None = None) -> LocationMatch | None:
        """The road's point, in the district if given; a longer text ending in a known road
        ("一下阜通东大街") finds it too. None if unknown, spread out, or in several districts."""
        text = _SPACE_RE.sub("", unicodedata.normalize("NFKC", road))
        district = DISTRICTS.get(district, district) if district else None
        for i in range(len(text)):
            candidate = text[i:]
            if _body_length(candidate) < 2:
                break
            by_district = self._roads.get(candidate)
            if by_district is not None:
                return _pick(by_district, district)
        return None


def _pick(by_district: dict[str, _RoadEntry], district: str | None) -> LocationMatch | None:
    if district is not None:
        exact = by_district.get(district)
        if exact is not None:
            return exact.match
        options = [e for d, e in by_district.items() if _compatible(d, (district,))]
    else:
        options = list(by_district.values())
    if not options:
        return None
    best = max(options, key=lambda e: e.count)
    # The same name in several districts: only a clear majority (two thirds) decides.
    if best.match is None or best.count * 3 < sum(e.count for e in options) * 2:
        return None
    return best.match


def _road_point(
    road: str, district: str, items: Sequence[Institution], radius_km: float, min_share: float
) -> LocationMatch | None:
    latitude = statistics.median(i.latitude for i in items)
    longitude = statistics.median(i.longitude for i in items)
    scale = math.cos(math.radians(latitude))
    near = sum(
        math.hypot((i.latitude - latitude) * 110.57, (i.longitude - longitude) * 111.32 * scale)
        <= radius_km
        for i in items
    )
    counts = Counter(i.subdistrict for i in items if i.subdistrict)
    top = counts.most_common(1)
    if near * 2 <= len(items) or not top or top[0][1] < min_share * len(items):
        return None
    return LocationMatch(f"{district}{road}附近", latitude, longitude, district, top[0][0], "road")
