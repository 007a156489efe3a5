"""What kind of message this is (dialogue act, about parenting) and long posts cut to their
question (knowledge_base/text/scope.py, knowledge_base/text/long_post.py)."""

from __future__ import annotations

import pytest

from knowledge_base.text.long_post import is_long_post, reduce_post, sentences
from knowledge_base.text.scope import asks_something, could_be_dialogue_act, mentions_parenting


@pytest.mark.parametrize(
    "text",
    [
        "不是",
        "不用了谢谢",
        "好的，谢谢你啦",
        "在吗？",
        "你好",
        "hi?",
        "yes it is",
        "no I don't",
        "Nope, that's all, thank you so much",
        "Hello there, how are you",
        "没有了",
        "对的对的",
        "不是的 他没事",
        "hi can you help me",
        "我想问一下",
    ],
)
def test_short_plain_messages_can_be_dialogue_acts(text: str) -> None:
    assert could_be_dialogue_act(text)


@pytest.mark.parametrize(
    "text",
    [
        "孩子不睡觉怎么办",
        "不睡觉怎么办",
        "宝宝不吃",
        "my son won't eat",
        "谢谢，那补贴怎么领",
        "no, but is it normal for a 2yo to bite?",
        "好的，那托班一个月多少钱",
        "Thanks! One more thing: my daughter still wakes up every two hours at night",
    ],
)
def test_questions_and_messages_about_a_child_are_not_dialogue_acts(text: str) -> None:
    assert not could_be_dialogue_act(text)


@pytest.mark.parametrize(
    "text",
    [
        "孩子不睡觉怎么办",
        "育儿假有几天",
        "my LO won't nap",
        "is daycare worth it",
        "產假幾天",
        "nanny contract tips",
        "14mo still not walking",
    ],
)
def test_parenting_words_in_either_language(text: str) -> None:
    assert mentions_parenting(text)


@pytest.mark.parametrize(
    "text", ["明天北京天气怎么样", "which stocks should I buy", "给我讲个笑话"]
)
def test_other_topics_are_not_parenting(text: str) -> None:
    assert not mentions_parenting(text)


def test_a_question_needs_a_question_word_not_just_a_mark() -> None:
    assert asks_something("这正常吗")
    assert asks_something("is this normal")
    assert not asks_something("在吗？")
    assert not asks_something("yes it is")


ZH_POST = (
    "各位宝妈好，我是第一次当妈妈，家里老人帮忙带，平时都挺顺利的。我家宝宝现在10个月了，"
    "最近这一周每天晚上都要醒四五次，以前都能一觉睡到天亮。我婆婆说是缺钙，我老公说是长牙了。"
    "我自己上班也很累，白天精神很差。请问10个月宝宝夜里频繁醒是什么原因，需要补钙吗？谢谢大家！"
)
EN_POST = (
    "Hi all, long time lurker, first post. My daughter is 14 months old and started daycare "
    "three weeks ago. Since then she has had a runny nose, then a cough, then a stomach bug. "
    "My mother-in-law thinks daycare is a bad idea and we should pull her out. We both work "
    "full time so that is not really an option. Is it normal for toddlers to get sick this "
    "often when they start nursery, and when does it get better?"
)


def test_a_long_chinese_post_keeps_its_question_and_key_facts() -> None:
    reduced = reduce_post(ZH_POST)
    assert "需要补钙吗" in reduced
    assert "10个月" in reduced
    assert "婆婆" not in reduced
    assert "上班" not in reduced
    assert len(reduced) < len(ZH_POST)


def test_a_long_english_post_keeps_its_question_and_key_facts() -> None:
    reduced = reduce_post(EN_POST)
    assert reduced.endswith("when does it get better?")
    assert "14 months old" in reduced
    assert "lurker" not in reduced
    assert "mother-in-law" not in reduced


def test_short_questions_are_searched_as_they_are() -> None:
    assert not is_long_post("宝宝几个月加辅食")
    assert reduce_post("宝宝几个月加辅食") == "宝宝几个月加辅食"
    assert reduce_post("When can my baby start solids?") == "When can my baby start solids?"


def test_a_post_without_question_words_keeps_its_last_sentence() -> None:
    post = (
        "我家孩子两岁半了，上个月开始去小区附近的托班，一开始还挺开心的。老师说他中午不肯睡，"
        "一直在小床上翻来翻去，还会影响别的小朋友。回家以后晚上也很晚才睡着，早上起不来。"
        "我们试过睡前讲故事、关灯，效果都一般。想听听大家的经验。"
    )
    assert is_long_post(post)
    assert reduce_post(post).endswith("想听听大家的经验。")


def test_sentences_split_chinese_and_english() -> None:
    assert sentences("你好。宝宝发烧了！怎么办？") == ["你好。", "宝宝发烧了！", "怎么办？"]
    assert sentences("Hi there. She is 2. What now?") == ["Hi there.", "She is 2.", "What now?"]
