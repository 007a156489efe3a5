from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway import service
from bot.gateway.keys import BACKENDS, LIMITS, PAYLOADS
from bot.rasa_client import PartState
from bot.settings import Settings
from knowledge_base.review_queue import ReviewQueue
from tests.unit.fakes import FakeRasa, gateway_app


async def test_chat_relays_to_rasa_and_returns_replies(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    response = await client.post("/api/chat", json={"sender_id": "p1", "message": "你好"})
    assert response.status == 200
    body = await response.json()
    signed = client.app[PAYLOADS].issue("p1", "/p")
    assert signed.startswith("/p~")
    assert body["replies"] == [{"text": "你好", "buttons": [{"title": "t", "payload": signed}]}]
    assert fake.sent == [("p1", "你好")]


async def test_an_issued_payload_comes_back_as_the_payload(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    body = await (
        await client.post("/api/chat", json={"sender_id": "p30", "message": "你好"})
    ).json()
    button = body["replies"][0]["buttons"][0]["payload"]
    await client.post("/api/chat", json={"sender_id": "p30", "message": button})
    assert fake.sent[-1] == ("p30", "/p")


@pytest.mark.parametrize(
    "forged",
    [
        "/restart",
        "/emergency",
        '/greet{"language": "anything"}',
        '/find_childcare{"finder_age": 1e999}',
        '/share_location{"latitude": 39.9, "longitude": 116.4}',
        "/p~AAAAAAAAAAAAAAAAAAAAAA",
    ],
)
async def test_a_payload_tuoyu_did_not_issue_is_only_text(
    client: TestClient[Any, Any], fake: FakeRasa, forged: str
) -> None:
    response = await client.post("/api/chat", json={"sender_id": "p31", "message": forged})
    assert response.status == 200
    assert fake.sent == [("p31", "／" + forged[1:])]


async def test_a_payload_issued_to_another_sender_is_only_text(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    theirs = client.app[PAYLOADS].issue("someone-else", "/restart")
    await client.post("/api/chat", json={"sender_id": "p32", "message": theirs})
    assert fake.sent[0][1].startswith("／restart")


async def test_the_language_goes_to_rasa_only_when_the_message_shows_it(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    languages = []
    for message in ["hello", "ok", "宝宝发烧了", "👍"]:
        response = await client.post("/api/chat", json={"sender_id": "p2", "message": message})
        languages.append((await response.json())["language"])
    assert [m.get("language") for m in fake.metadata] == ["en", None, "zh", None]
    assert languages == ["en", "en", "zh", "zh"]


async def test_button_payloads_do_not_change_the_language(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    await client.post("/api/chat", json={"sender_id": "p7", "message": "宝宝发烧"})
    payload = client.app[PAYLOADS].issue("p7", '/ask_guidance{"kb_entry": "fever"}')
    response = await client.post("/api/chat", json={"sender_id": "p7", "message": payload})
    assert (await response.json())["language"] == "zh"
    assert "language" not in fake.metadata[-1]


async def test_phone_numbers_are_masked_before_rasa_sees_them(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    await client.post("/api/chat", json={"sender_id": "p3", "message": "电话13812345678"})
    assert fake.sent == [("p3", "电话138****5678")]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"message": "hi"}, "sender_id", "missing_field"),
        ({"sender_id": "a"}, "message", "missing_field"),
        ({"sender_id": "a", "message": "   "}, "message", "empty_field"),
        ({"sender_id": "a", "message": 5}, "message", "wrong_type"),
        ({"sender_id": ["a"], "message": "hi"}, "sender_id", "wrong_type"),
        ({"sender_id": "a b<script>", "message": "hi"}, "sender_id", "invalid_field"),
        ({"sender_id": "a", "message": "长" * 2001}, "message", "message_too_long"),
    ],
)
async def test_bad_requests_get_400_saying_what_is_wrong(
    client: TestClient[Any, Any], fake: FakeRasa, body: dict[str, Any], field: str, code: str
) -> None:
    response = await client.post("/api/chat", json=body)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == code
    assert error["field"] == field
    assert field in error["message"]
    assert fake.sent == []


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
async def test_non_json_bodies_get_400(client: TestClient[Any, Any], raw: bytes) -> None:
    response = await client.post(
        "/api/chat", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] in {"empty_body", "invalid_json"}


async def test_a_message_of_exactly_2000_characters_is_accepted(
    client: TestClient[Any, Any],
) -> None:
    response = await client.post("/api/chat", json={"sender_id": "a", "message": "字" * 2000})
    assert response.status == 200


async def test_rasa_down_gives_503_with_a_friendly_message_in_the_parents_language(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.rasa_up = False
    response = await client.post("/api/chat", json={"sender_id": "p4", "message": "is it up"})
    assert response.status == 503
    body = await response.json()
    assert body["error"]["part"] == "rasa"
    assert "try again" in body["replies"][0]["text"]
    fake.rasa_up = True
    response = await client.post("/api/chat", json={"sender_id": "p4", "message": "back?"})
    assert response.status == 200


async def test_empty_reply_with_action_server_down_gives_503(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.replies = []
    fake.actions_up = False
    response = await client.post("/api/chat", json={"sender_id": "p5", "message": "宝宝发烧"})
    assert response.status == 503
    body = await response.json()
    assert body["error"]["part"] == "actions"
    assert "稍后再试" in body["replies"][0]["text"]


async def test_a_danger_sign_still_gets_emergency_steps_when_rasa_is_down(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.rasa_up = False
    response = await client.post("/api/chat", json={"sender_id": "p8", "message": "宝宝抽搐了"})
    assert response.status == 503
    replies = (await response.json())["replies"]
    assert "120" in replies[0]["text"]
    assert "侧躺" in replies[0]["text"]


async def test_a_parent_in_crisis_still_gets_12356_when_rasa_is_down(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.rasa_up = False
    response = await client.post("/api/chat", json={"sender_id": "p9", "message": "我真的不想活了"})
    replies = (await response.json())["replies"]
    assert "12356" in replies[0]["text"]
    assert "🚨" not in replies[0]["text"]


async def test_a_button_payload_is_never_read_for_danger_signs(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.rasa_up = False
    payload = client.app[PAYLOADS].issue("p10", '/ask_guidance{"kb_entry": "first-aid-choking"}')
    response = await client.post("/api/chat", json={"sender_id": "p10", "message": payload})
    replies = (await response.json())["replies"]
    assert len(replies) == 1
    assert "🚨" not in replies[0]["text"]


async def test_empty_reply_with_everything_up_says_something(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.replies = []
    response = await client.post("/api/chat", json={"sender_id": "p6", "message": "嗯"})
    assert response.status == 200
    assert (await response.json())["replies"][0]["text"]


async def test_healthz_reports_each_part(client: TestClient[Any, Any], fake: FakeRasa) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["parts"]["rasa"]["ok"] is True
    fake.actions_up = False
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["parts"]["actions"]["ok"] is False
    assert body["status"] == "unavailable"


async def test_index_page_is_served_with_a_strict_policy(client: TestClient[Any, Any]) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert "托育助手" in await response.text()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (await client.get("/static/chat.js")).status == 200


async def test_nearby_api_returns_results_sorted_by_distance(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    from knowledge_base.registry.importer import import_registry_file
    from knowledge_base.registry.store import FacilityRegistry
    from tests.unit.test_registry import row, write_csv

    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "t"})
    store = FacilityRegistry.open(settings.database_url)
    rows = [
        row("BJ1", 经度="116.470", 纬度="39.990"),
        row("BJ2", 经度="116.480", 纬度="39.995", 是否普惠="否"),
        row("BJ3", 经度="116.300", 纬度="39.900", 最小月龄="24"),
    ]
    import_registry_file(write_csv(tmp_path / "r.csv", rows), store)
    store.close()
    client = await aiohttp_client(gateway_app(settings))
    response = await client.get("/api/facilities/nearby?lat=39.99&lon=116.47&limit=3")
    assert response.status == 200
    body = await response.json()
    assert [r["registration_no"] for r in body["results"]] == ["BJ1", "BJ2", "BJ3"]
    assert body["results"][0]["distance_km"] < body["results"][1]["distance_km"]
    filtered = await client.get(
        "/api/facilities/nearby?lat=39.99&lon=116.47&inclusive=true&age_months=22&radius_km=50"
    )
    assert [r["registration_no"] for r in (await filtered.json())["results"]] == ["BJ1"]
    checked = await (await client.get("/api/facilities/check?q=示例托育园BJ2")).json()
    assert checked["found"] is True
    assert checked["matches"][0]["registration_no"] == "BJ2"
    missing = await (await client.get("/api/facilities/check?q=金色摇篮早教")).json()
    assert (missing["query"], missing["found"], missing["matches"]) == ("金色摇篮早教", False, [])
    advice = missing["advice"]
    assert advice["report_to"] == "12345"
    assert "没有找到" in advice["zh"]
    assert "12345" in advice["en"]
    assert "北京市托育服务体系建设三年行动方案" in advice["zh"]
    assert "{source}" not in advice["zh"] + advice["en"]
    assert "advice" not in checked
    assert (await client.get("/api/facilities/check?q=")).status == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lon=116.4", "lat"),
        ("lat=abc&lon=116.4", "lat"),
        ("lat=31.2&lon=121.4", "lat"),
        ("lat=39.9&lon=116.4&limit=500", "limit"),
        ("lat=39.9&lon=116.4&inclusive=maybe", "inclusive"),
        ("lat=39.9&lon=116.4&care_mode=夜托", "care_mode"),
    ],
)
async def test_nearby_api_rejects_bad_parameters_saying_which(
    client: TestClient[Any, Any], query: str, field: str
) -> None:
    response = await client.get(f"/api/facilities/nearby?{query}")
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["field"] == field
    assert field in error["message"]


async def test_openapi_documents_exactly_the_public_routes(client: TestClient[Any, Any]) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    documented = set(document["paths"])
    routes = {
        r.resource.canonical
        for r in client.app.router.routes()
        if r.resource is not None and r.resource.canonical.startswith(("/api/", "/healthz"))
    }
    assert documented == routes - {"/api/openapi.json"}
    coverage = await (await client.get("/api/coverage")).json()
    assert coverage["targets"]["places_per_1000_residents"] == 4.5
    assert len(coverage["districts"]) == 17


async def test_a_shared_location_reaches_rasa_as_a_payload_rounded_to_about_100_m(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    body = {"sender_id": "p9", "location": {"latitude": 39.996123, "longitude": 116.470987}}
    response = await client.post("/api/chat", json=body)
    assert response.status == 200
    assert fake.sent == [("p9", '/share_location{"latitude": 39.996, "longitude": 116.471}')]


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("望京", "wrong_type"),
        ({"latitude": "39.9", "longitude": 116.4}, "wrong_type"),
        ({"latitude": 39.9}, "wrong_type"),
        ({"latitude": 95.0, "longitude": 116.4}, "invalid_field"),
        ({"latitude": True, "longitude": 116.4}, "wrong_type"),
    ],
)
async def test_bad_locations_get_400(
    client: TestClient[Any, Any], fake: FakeRasa, location: Any, code: str
) -> None:
    response = await client.post("/api/chat", json={"sender_id": "p9", "location": location})
    assert response.status == 400
    error = (await response.json())["error"]
    assert (error["code"], error["field"]) == (code, "location")
    assert fake.sent == []


async def test_a_custom_payload_travels_with_the_reply_before_it(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    link = {"type": "link", "title": "🗺 在地图上查看", "url": "http://x/map?lat=1"}
    fake.replies = [
        {
            "recipient_id": "x",
            "text": "还可以：",
            "buttons": [{"title": "再看5家", "payload": "/m"}],
        },
        {"recipient_id": "x", "custom": link},
    ]
    response = await client.post("/api/chat", json={"sender_id": "p9", "message": "望京托育"})
    replies = (await response.json())["replies"]
    assert len(replies) == 1
    assert replies[0]["extras"] == [link]
    assert replies[0]["buttons"][0]["title"] == "再看5家"


async def test_map_search_takes_a_point_from_the_chat_or_an_address(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    from knowledge_base.registry.importer import import_registry_file
    from knowledge_base.registry.store import FacilityRegistry
    from tests.unit.test_registry import row, write_csv

    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "t"})
    store = FacilityRegistry.open(settings.database_url)
    rows = [
        row("BJ1", 经度="116.470", 纬度="39.990"),
        row("BJ2", 经度="116.300", 纬度="39.980", 所属区="海淀区", 街道乡镇="中关村街道"),
    ]
    import_registry_file(write_csv(tmp_path / "r.csv", rows), store)
    store.close()
    client = await aiohttp_client(gateway_app(settings))
    point = await (await client.get("/api/map/search?lat=39.98&lon=116.30&q=您的位置")).json()
    assert [r["registration_no"] for r in point["results"]] == ["BJ2", "BJ1"]
    assert point["place"]["name"] == "您的位置"
    address = await (await client.get("/api/map/search?q=朝阳区望京街道阜通东大街6号")).json()
    assert address["place"]["name"] == "朝阳区望京街道"
    assert address["results"][0]["registration_no"] == "BJ1"
    ambiguous = await client.get("/api/map/search?q=八里庄")
    assert ambiguous.status == 400
    assert "海淀区八里庄街道" in (await ambiguous.json())["error"]["message"]
    bad = await client.get("/api/map/search?lat=abc&lon=116.3")
    assert (await bad.json())["error"]["field"] == "lat"


async def test_a_back_end_known_to_be_down_is_not_waited_for(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.actions_up = False
    await client.app[BACKENDS].probe()
    started = time.monotonic()
    response = await client.post("/api/chat", json={"sender_id": "p20", "message": "宝宝发烧"})
    assert response.status == 503
    assert (await response.json())["error"]["part"] == "actions"
    assert fake.sent == []
    assert time.monotonic() - started < 1


async def test_a_waiting_message_is_answered_when_its_back_end_goes_down(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.hang_s = 30
    request = asyncio.create_task(
        client.post("/api/chat", json={"sender_id": "p21", "message": "宝宝几个月加辅食"})
    )
    await asyncio.sleep(0.2)
    fake.actions_up = False
    await client.app[BACKENDS].probe()
    response = await asyncio.wait_for(request, 2)
    assert response.status == 503
    assert "稍后再试" in (await response.json())["replies"][0]["text"]


async def test_a_danger_sign_gets_the_emergency_answer_at_once_from_a_slow_back_end(
    client: TestClient[Any, Any], fake: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "URGENT_WAIT_S", 0.3)
    fake.hang_s = 30
    started = time.monotonic()
    response = await client.post("/api/chat", json={"sender_id": "p22", "message": "宝宝抽搐了"})
    assert time.monotonic() - started < 2
    replies = (await response.json())["replies"]
    assert "120" in replies[0]["text"]


async def test_the_watch_names_the_part_that_is_down_and_clears_when_it_is_back(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    watch = client.app[BACKENDS]
    fake.rasa_up = False
    await watch.probe()
    assert watch.down == "rasa"
    fake.rasa_up = True
    await watch.probe()
    assert watch.down is None


async def test_the_watch_keeps_probing_after_a_probe_raises(fake: FakeRasa) -> None:
    from bot.gateway.backends import BackendWatch

    calls = 0

    async def flaky() -> PartState:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("reset while starting")
        return PartState("rasa", True, "model")

    fake.rasa_state = flaky  # type: ignore[method-assign]
    watch = BackendWatch(fake, every_s=0.01)
    task = asyncio.create_task(watch.run())
    await asyncio.sleep(0.2)
    task.cancel()
    assert calls > 2
    assert watch.down is None


async def test_a_part_marked_down_that_is_back_is_used_at_once(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.rasa_up = False
    await client.app[BACKENDS].probe()
    fake.rasa_up = True  # back before the next round of probes
    response = await client.post("/api/chat", json={"sender_id": "p40", "message": "你好"})
    assert response.status == 200


@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        ("[" * 1000 + "]" * 1000, {}, "invalid_json"),
        ('{"sender_id": "x", "message": ' + "9" * 4400 + "}", {}, "invalid_json"),
        ("not gzip at all", {"Content-Encoding": "gzip"}, "invalid_body"),
        ('{"sender_id": "x", "message": "hi"}', {"Content-Type": "text/plain"}, None),
    ],
    ids=["nested-1000", "int-4400-digits", "false-gzip", "text-plain"],
)
async def test_hostile_bodies_get_a_clear_400(
    client: TestClient[Any, Any], body: str, headers: dict[str, str], code: str | None
) -> None:
    sent = {"Content-Type": "application/json", **headers}
    response = await client.post("/api/chat", data=body.encode(), headers=sent)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == (code or "wrong_content_type")


async def test_a_huge_static_path_is_a_404(client: TestClient[Any, Any]) -> None:
    response = await client.get("/static/" + "a" * 5000)
    assert response.status == 404
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/static/chat.css", "/api/openapi.json", "/nope"])
async def test_every_response_carries_the_security_headers_and_no_version(
    client: TestClient[Any, Any], path: str
) -> None:
    response = await client.get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server"] == "Tuoyu"


async def test_an_unexpected_error_is_a_plain_500_without_a_trace(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        raise RuntimeError("secret internals")

    fake.send_message = broken  # type: ignore[method-assign]
    response = await client.post("/api/chat", json={"sender_id": "p50", "message": "你好"})
    assert response.status == 500
    text = await response.text()
    assert "secret internals" not in text
    assert "Traceback" not in text
    assert (await response.json())["error"]["code"] == "internal_error"


async def test_too_many_messages_get_a_clear_429_but_an_emergency_still_gets_120(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    statuses = []
    for n in range(12):
        response = await client.post("/api/chat", json={"sender_id": "p60", "message": f"问{n}"})
        statuses.append(response.status)
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
    assert "Retry-After" in response.headers
    body = await response.json()
    assert body["error"]["code"] == "rate_limited"
    assert "稍等" in body["replies"][0]["text"]
    urgent = await client.post("/api/chat", json={"sender_id": "p60", "message": "宝宝抽搐了"})
    assert urgent.status == 429
    assert "120" in (await urgent.json())["replies"][0]["text"]


async def test_parallel_messages_from_one_sender_are_not_all_queued(
    client: TestClient[Any, Any], fake: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app[LIMITS].in_flight, "_wait_s", 0.2)
    fake.hang_s = 1.0
    responses = await asyncio.gather(
        *(client.post("/api/chat", json={"sender_id": "p61", "message": "你好"}) for _ in range(5))
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200, 429, 429, 429, 429]
    busy = next(r for r in responses if r.status == 429)
    assert (await busy.json())["error"]["code"] == "busy"


async def test_a_lone_surrogate_in_json_is_read_as_text_not_a_crash(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    raw = b'{"sender_id": "p70", "message": "\\ud800 \\u5b9d\\u5b9d\\u53d1\\u70e7"}'
    response = await client.post(
        "/api/chat", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 200
    assert fake.sent == [("p70", "? 宝宝发烧")]


async def test_a_message_of_only_control_characters_is_empty(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    response = await client.post("/api/chat", json={"sender_id": "p71", "message": "\x00\x1f"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "empty_field"
    assert fake.sent == []


# --- delete my data, and what the web API may not speak for ------------------------------


async def test_forget_erases_the_conversation_and_the_senders_review_questions(
    client: TestClient[Any, Any], fake: FakeRasa, tmp_path: Path
) -> None:
    queue = ReviewQueue(tmp_path / "review-queue.sqlite3")
    queue.record("宝宝吃手正常吗", "zh", None, 0.5, asker="p-forget")
    queue.record("幼儿园学费怎么算", "zh", None, 0.5, asker="someone-else")
    await client.post("/api/chat", json={"sender_id": "p-forget", "message": "你好"})
    response = await client.post("/api/forget", json={"sender_id": "p-forget"})
    assert response.status == 200
    assert await response.json() == {
        "forgotten": True,
        "conversation_events": 1,
        "review_questions": 1,
    }
    assert fake.forgotten == ["p-forget"]
    assert [q.question for q in queue.recent()] == ["幼儿园学费怎么算"]


async def test_forget_claims_nothing_when_rasa_is_down(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    fake.rasa_up = False
    response = await client.post("/api/forget", json={"sender_id": "p-down"})
    assert response.status == 503
    assert (await response.json())["error"]["code"] == "backend_unavailable"


@pytest.mark.parametrize("body", [{}, {"sender_id": 5}, {"sender_id": "<b>"}, {"sender_id": ""}])
async def test_forget_says_what_is_wrong_with_the_request(
    client: TestClient[Any, Any], fake: FakeRasa, body: dict[str, Any]
) -> None:
    response = await client.post("/api/forget", json=body)
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "sender_id"
    assert fake.forgotten == []


async def test_the_web_api_cannot_speak_for_a_telegram_chat(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    for path, body in (
        ("/api/chat", {"sender_id": "tg:12345", "message": "你好"}),
        ("/api/forget", {"sender_id": "tg:12345"}),
    ):
        response = await client.post(path, json=body)
        assert response.status == 400
        assert "reserved" in (await response.json())["error"]["message"]
    assert fake.sent == []
    assert fake.forgotten == []
