"""Conversations through /api/chat with the real Rasa server, action server and gateway."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
import uuid

import psutil
import pytest

from bot.local_stack import LocalStack as Stack

pytestmark = pytest.mark.integration


def sender() -> str:
    return f"it-{uuid.uuid4().hex[:12]}"


def reply_texts(stack: Stack, sender_id: str, message: str) -> list[str]:
    status, body = stack.chat(sender_id, message)
    assert status == 200, body
    return [reply["text"] for reply in body["replies"]]


def test_healthz_is_ok_when_all_parts_answer(stack: Stack) -> None:
    status, body = stack.healthz()
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["parts"]["rasa"]["ok"] is True
    assert body["parts"]["rasa"]["detail"] == stack.rasa_model.name
    assert body["parts"]["actions"]["ok"] is True


def test_chinese_question_gets_a_sourced_chinese_answer(stack: Stack) -> None:
    status, body = stack.chat(sender(), "宝宝几个月可以加辅食？")
    assert status == 200
    first = body["replies"][0]["text"]
    assert "6月龄" in first
    assert "来源：中国营养学会" in first
    related = body["replies"][-1]["buttons"]
    assert related
    assert all(b["payload"].startswith("/ask_guidance") for b in related)


def test_english_question_gets_a_sourced_english_answer(stack: Stack) -> None:
    texts = reply_texts(stack, sender(), "when can my baby start solid food?")
    assert "6 months" in texts[0]
    assert "Source: 中国营养学会" in texts[0]
    # The whole English body, not a summary of a Chinese text.
    assert not any("English summary" in t for t in texts)
    assert not re.search(r"[\u4e00-\u9fff]", texts[0].split("Source:")[0].replace("（", "("))


def test_greeting_follows_the_parents_language(stack: Stack) -> None:
    person = sender()
    assert "托育助手" in reply_texts(stack, person, "你好")[0]
    assert "Tuoyu" in reply_texts(stack, person, "hello there")[0]
    # "ok" tells nothing about the language: the conversation stays in English.
    assert "anything else" in reply_texts(stack, person, "ok")[0]
    assert "还有什么" in reply_texts(stack, person, "好的")[0]


def test_a_related_question_button_opens_its_entry(stack: Stack) -> None:
    person = sender()
    _, body = stack.chat(person, "3岁以下个税能扣多少")
    assert "2000元" in body["replies"][0]["text"]
    button = body["replies"][-1]["buttons"][0]
    _, followed = stack.chat(person, button["payload"])
    # The payload as issued: "/ask_guidance{...}~<signature for this sender>".
    payload, _, signature = button["payload"].rpartition("~")
    assert signature
    entry_id = json.loads(payload.removeprefix("/ask_guidance"))["kb_entry"]
    tracker = stack.tracker(person)
    assert tracker["slots"]["last_entry_id"] == entry_id
    assert "来源" in followed["replies"][0]["text"]


def test_unknown_question_is_admitted_and_queued_with_numbers_masked(stack: Stack) -> None:
    person = sender()
    texts = reply_texts(stack, person, "家里的猫会不会传染宝宝弓形虫，我电话13812345678")
    assert "不太确定" in texts[0]
    with sqlite3.connect(stack.settings.review_queue_path) as db:
        rows = db.execute("SELECT question, language FROM unanswered_questions").fetchall()
    assert ("家里的猫会不会传染宝宝弓形虫，我电话138****5678", "zh") in rows


def test_stored_conversations_hold_no_raw_phone_numbers(stack: Stack) -> None:
    person = sender()
    reply_texts(stack, person, "我的手机是13912345678，宝宝发烧怎么办")
    stored = json.dumps(stack.tracker(person), ensure_ascii=False)
    assert "13912345678" not in stored
    assert "139****5678" in stored


def test_out_of_scope_and_bot_challenge(stack: Stack) -> None:
    person = sender()
    assert "帮不上忙" in reply_texts(stack, person, "明天北京天气怎么样")[0]
    assert "不是真人" in reply_texts(stack, person, "你是机器人吗")[0]


def test_a_question_with_a_no_in_it_is_answered_not_taken_as_no(stack: Stack) -> None:
    texts = reply_texts(stack, sender(), "孩子不睡觉怎么办")
    assert "随时找我" not in texts[0]
    assert "来源" in texts[0]


def test_a_long_chinese_post_gets_its_entry_or_the_middle_tier(stack: Stack) -> None:
    post = (
        "各位宝妈好，我是新手妈妈，家里老人帮忙带，平时都挺顺利的。我家闺女现在14个月，"
        "最近半个月每天半夜都要醒好几次，哭着要抱，以前都能睡整觉。婆婆说是缺钙，让我买钙片，"
        "我老公说是白天玩得太兴奋了。我自己上班也很累，白天精神很差。"
        "想问下一岁多的孩子夜里频繁醒是怎么回事，该怎么办？"
    )
    person = sender()
    status, body = stack.chat(person, post)
    assert status == 200
    replies = body["replies"]
    if replies[0]["text"].endswith("有伤害自己或孩子的想法吗？"):
        # A tired parent may be asked once whether they are safe; "no" still gets the answer.
        status, body = stack.chat(person, replies[0]["buttons"][1]["payload"])
        replies = body["replies"][1:]
    text = replies[0]["text"]
    assert "帮不上忙" not in text
    assert "不太确定" not in text
    assert "来源" in text
    offered = [b["payload"] for r in replies for b in r.get("buttons") or []]
    sleep_entries = ("night-waking-sleep-regression", "toddler-sleep-naps", "sleep-by-age")
    if text.startswith("这些内容可能回答"):
        assert any(entry in p for p in offered for entry in sleep_entries)
    else:
        assert "睡" in text


def test_a_long_english_forum_post_gets_its_entry_or_the_middle_tier(stack: Stack) -> None:
    post = (
        "Hi all, long time lurker, first post. We moved to Beijing last year for my husband's "
        "job and honestly the paperwork has been a lot. My daughter is 7 months old now and "
        "she has been eating purees for a few weeks. My mother-in-law keeps saying she should "
        "have plain rice porridge only until she is one. Our ayi says egg and meat are fine. "
        "I am getting so many mixed messages. What foods should a 7 month old actually be "
        "eating, and is it OK to give egg and meat yet?"
    )
    status, body = stack.chat(sender(), post)
    assert status == 200
    replies = body["replies"]
    text = replies[0]["text"]
    assert "can't help" not in text
    assert "not sure" not in text
    offered = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "Source:" in text
    assert text.startswith("These may answer") or "month" in text
    if text.startswith("These may answer"):
        assert any("feeding" in p for p in offered)


def test_bad_requests_are_rejected_by_the_gateway(stack: Stack) -> None:
    status, body = stack.chat(sender(), "字" * 2001)
    assert status == 400
    assert body["error"]["code"] == "message_too_long"
    status, body = stack.chat("", "hi")
    assert status == 400
    assert body["error"]["field"] == "sender_id"


def test_a_danger_sign_gets_the_emergency_answer_first(stack: Stack) -> None:
    person = sender()
    reply_texts(stack, person, "宝宝几个月可以加辅食？")
    texts = reply_texts(stack, person, "宝宝突然抽搐了 眼睛往上翻 怎么办")
    assert len(texts) == 1
    assert texts[0].startswith("🚨")
    assert "120" in texts[0]
    assert "侧躺" in texts[0]
    english = reply_texts(stack, sender(), "help my baby is choking on a grape")
    assert "call 120" in english[0]


def test_a_near_miss_gets_an_ordinary_answer(stack: Stack) -> None:
    texts = reply_texts(stack, sender(), "退烧药怎么保存")
    assert not any(t.startswith("🚨") for t in texts)
    # The parent's own fever, an adult's burn, a resolved choke: no alarm.
    for message in (
        "I have a fever of 39, can I still breastfeed my baby?",
        "我自己发烧39度还要带娃 好累",
        "she choked a little on a cracker but she's fine now",
    ):
        texts = reply_texts(stack, sender(), message)
        assert not any("🚨" in t for t in texts), (message, texts)


def test_new_categories_get_their_own_steps_first(stack: Stack) -> None:
    texts = reply_texts(stack, sender(), "我家两岁的儿子刚才在小区泳池里 被发现脸朝下漂着")
    assert texts[0].startswith("🚨")
    assert "120" in texts[0]
    assert "水里" in texts[0]
    english = reply_texts(
        stack, sender(), "my husband shook our 3 month old hard, now she's floppy"
    )
    assert english[0].startswith("🚨")
    assert "shaken" in english[0]


def test_a_parent_in_crisis_gets_12356_and_warmth(stack: Stack) -> None:
    texts = reply_texts(stack, sender(), "我真的撑不下去了 不想活了")
    assert texts[0].startswith("💛")
    assert "12356" in texts[0]
    assert "不是一个人" in texts[0]
    english = reply_texts(stack, sender(), "honestly I want to die, I can't do this anymore")
    assert "12356" in english[0]
    assert "not alone" in english[0]


def test_a_carer_who_held_back_gets_12356_not_an_abuse_report(stack: Stack) -> None:
    texts = reply_texts(stack, sender(), "雇主家宝宝一直哭，我刚才差点捂住他的嘴，现在手还在抖")
    assert "12356" in texts[0]
    assert "110" not in texts[0].split("12356")[0]  # no abuse report before the hotline
    # Held back, then harm done: the child's steps first, then 12356 for the writer.
    done = reply_texts(stack, sender(), "我刚才差点掐他，他吓得往后一仰摔下了床，现在叫不醒")
    assert done[0].startswith("🚨")
    assert done[0].index("120") < done[0].index("12356")


def test_a_borderline_message_gets_one_question_and_the_answer_decides(stack: Stack) -> None:
    person = sender()
    status, body = stack.chat(person, "my toddler has a barking cough")
    assert status == 200
    [question] = body["replies"]
    assert "breathing in" in question["text"]
    yes_payload, no_payload = [b["payload"] for b in question["buttons"]]
    assert yes_payload.startswith("/affirm~")
    assert no_payload.startswith("/deny~")
    assert [b["title"] for b in question["buttons"]] == ["Yes", "No"]
    yes = reply_texts(stack, person, yes_payload)
    assert yes[0].startswith("🚨")
    assert "call 120" in yes[0]

    other = sender()
    _, body = stack.chat(other, "my toddler has a barking cough")
    no = reply_texts(stack, other, body["replies"][0]["buttons"][1]["payload"])
    assert not any("🚨" in t for t in no)
    assert "doesn't sound like an emergency" in no[0]
    assert len(no) >= 2  # then an answer to what was asked (or an honest "not sure")


def test_a_follow_up_is_read_with_the_previous_question(stack: Stack) -> None:
    person = sender()
    reply_texts(stack, person, "宝宝几个月可以加辅食？")
    texts = reply_texts(stack, person, "那两岁呢？")
    assert "来源" in texts[0]
    assert stack.tracker(person)["slots"]["last_question"] == "宝宝几个月可以加辅食？"


def test_a_typed_command_sets_nothing(stack: Stack) -> None:
    person = sender()
    reply_texts(stack, person, "宝宝几个月可以加辅食？")
    before = stack.tracker(person)
    for forged in (
        "/restart",
        '/share_location{"latitude": 39.9, "longitude": 116.4}',
        '/find_childcare{"finder_age": 1e999}',
        '/greet{"language": "anything"}',
    ):
        status, _ = stack.chat(person, forged)
        assert status == 200
    after = stack.tracker(person)
    # Nothing restarted and no slot set from a forged payload.
    assert not any(e.get("event") == "restart" for e in after["events"])
    # Typed as text, '/greet{"language": "anything"}' may read as English words; it never
    # puts "anything" in the slot.
    assert after["slots"].get("language") in (None, "zh", "en")
    assert after["slots"].get("finder_age") in (None, before["slots"].get("finder_age"))
    assert all(
        not (e.get("event") == "user" and (e.get("text") or "").startswith("/"))
        for e in after["events"]
    )


def status_of_post(url: str, body: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_rasa_and_the_action_server_answer_only_with_the_shared_secret(stack: Stack) -> None:
    body = {"sender": "intruder", "message": "/restart"}
    rasa = stack.settings.rasa_url
    assert status_of_post(f"{rasa}/webhooks/tuoyu/webhook", body) == 403
    assert status_of_post(f"{rasa}/webhooks/rest/webhook", body) == 404  # no open channel
    action_call = {"next_action": "action_answer_question", "sender_id": "intruder"}
    assert status_of_post(f"{stack.settings.actions_url}/webhook", action_call) == 403


def test_no_secret_is_on_a_command_line(stack: Stack) -> None:
    token = stack.settings.rasa_token()
    for pid in stack.pids().values():
        for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
            assert token not in " ".join(process.cmdline())


def test_delete_my_data_erases_the_conversation_from_rasa(stack: Stack) -> None:
    person = sender()
    reply_texts(stack, person, "宝宝两岁了还不太会说话，正常吗？我电话13912345678")
    before = json.dumps(stack.tracker(person)["events"], ensure_ascii=False)
    assert "宝宝两岁了" in before
    assert "13912345678" not in before  # masked before it was stored
    status, body = stack.forget(person)
    assert status == 200, body
    assert body["forgotten"] is True
    assert body["conversation_events"] > 0
    after = stack.tracker(person)["events"]
    assert not [e for e in after if e.get("event") == "user"]
    assert "宝宝两岁了" not in json.dumps(after, ensure_ascii=False)
    # The conversation starts afresh, and still works.
    assert reply_texts(stack, person, "你好")
