from __future__ import annotations

import pytest

from knowledge_base.registry.places import default_gazetteer


@pytest.mark.parametrize(
    ("text", "district", "kind"),
    [
        ("望京附近有托育吗", "朝阳区", "alias"),
        ("回龙观", "昌平区", "alias"),
        ("亦庄", "北京经济技术开发区", "alias"),
        ("我住在海淀区", "海淀区", "district"),
        ("东华门街道", "东城区", "subdistrict"),
        ("朝阳区望京西路18号", "朝阳区", "alias"),
    ],
)
def test_places_parents_name_resolve_to_points(text: str, district: str, kind: str) -> None:
    place = default_gazetteer().resolve(text)
    assert place is not None
    assert (place.district, place.kind) == (district, kind)
    assert 39.4 <= place.latitude <= 41.1
    assert 115.4 <= place.longitude <= 117.5


def test_an_ambiguous_name_is_not_guessed_but_a_district_settles_it() -> None:
    gazetteer = default_gazetteer()
    assert len({p.district for p in gazetteer.candidates("八里庄")}) == 2
    assert gazetteer.resolve("八里庄") is None
    settled = gazetteer.resolve("海淀区八里庄")
    assert settled is not None
    assert settled.district == "海淀区"


def test_the_gazetteer_covers_every_district_and_states_its_source() -> None:
    gazetteer = default_gazetteer()
    assert len(gazetteer.districts) == 17
    assert sum(len(d.get("subdistricts") or {}) for d in gazetteer.districts.values()) >= 300
    assert "国家统计局" in gazetteer.source["names"]
    assert gazetteer.source["coordinates"]
