"""Triage: the bank, the classifier, and how the two signals make one decision."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.danger_signs import DangerSignDetector
from knowledge_base.triage.bank import BANK_DIR, RULES_ONLY_CATEGORIES, for_training, load_bank
from knowledge_base.triage.build import build_classifier, classifier_is_current
from knowledge_base.triage.classifier import Prediction, TriageClassifier
from knowledge_base.triage.decision import (
    CHECK,
    CRISIS,
    EMERGENCY,
    NORMAL,
    TriageDecider,
)
from tests.unit.fakes import CharacterGramEmbedder


@pytest.fixture(scope="module")
def decider() -> TriageDecider:
    return TriageDecider.from_files()


def prediction(emergency: float, crisis: float = 0.0, category: str | None = None) -> Prediction:
    safe = max(0.0, 1.0 - emergency - crisis)
    return Prediction({"safe": safe, "emergency": emergency, "crisis": crisis}, category, ())


# --- the bank ----------------------------------------------------------------------------


def test_the_bank_is_big_enough_and_from_several_writers() -> None:
    bank = load_bank()
    labels = Counter(m.label for m in bank)
    assert labels["emergency"] + labels["crisis"] >= 600
    assert labels["safe"] >= 600
    assert len({m.writer for m in bank}) >= 2
    assert len({m.text for m in bank}) == len(bank)
    # Every category the rules know has bank messages of its own.
    categories = {m.category for m in bank if m.label == "emergency"}
    rules = {c.key for c in DangerSignDetector.from_file().categories}
    assert rules - {"parent_crisis"} <= categories


def test_rules_only_emergencies_stay_in_the_bank_but_are_not_learnt() -> None:
    bank = load_bank()
    rules_only = [m for m in bank if m.category in RULES_ONLY_CATEGORIES]
    assert rules_only  # measured with the rest of the bank
    learnt = for_training(bank)
    assert not {m.category for m in learnt} & RULES_ONLY_CATEGORIES
    assert len(learnt) == len(bank) - len(rules_only)


def test_the_bank_says_who_wrote_it_and_how() -> None:
    readme = (BANK_DIR / "README.md").read_text("utf-8")
    for writer in {m.writer for m in load_bank()}:
        assert f"`{writer}`" in readme


def test_a_malformed_bank_item_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "w.yml").write_text("items:\n  - {text: hi, label: urgent}\n", "utf-8")
    with pytest.raises(ValueError, match="label"):
        load_bank(tmp_path)


# --- the classifier ----------------------------------------------------------------------


def _tiny_bank(tmp_path: Path) -> Path:
    items = [
        ("宝宝噎住了脸发紫", "emergency", "choking"),
        ("孩子噎住了喘不上气", "emergency", "choking"),
        ("宝宝抽搐翻白眼", "emergency", "convulsions"),
        ("孩子抽搐叫不醒", "emergency", "convulsions"),
        ("我不想活了", "crisis", None),
        ("活不下去了想死", "crisis", None),
        ("宝宝几个月加辅食", "safe", None),
        ("托育补贴怎么申请", "safe", None),
        ("宝宝晚上睡不好", "safe", None),
        ("个税专项扣除多少", "safe", None),
    ]
    lines = ["writer: test", "items:"]
    for text, label, category in items:
        extra = f", category: {category}" if category else ""
        lines.append(f'  - {{text: "{text}", label: {label}{extra}}}')
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "bank.yml").write_text("\n".join(lines) + "\n", "utf-8")
    return tmp_path


def test_the_classifier_learns_the_bank_and_names_the_category(tmp_path: Path) -> None:
    bank = _tiny_bank(tmp_path / "bank")
    embedder = CharacterGramEmbedder()
    model_dir = tmp_path / "model"
    assert build_classifier(model_dir, embedder, bank) == 10
    assert classifier_is_current(model_dir, embedder.identity, bank)
    assert not classifier_is_current(model_dir, "another-model", bank)
    classifier = TriageClassifier.load(model_dir)

    def predict(text: str) -> Prediction:
        return classifier.predict(text, embedder.embed_queries([text])[0])

    choking = predict("宝宝噎住了")
    assert choking.emergency > choking.probabilities["safe"]
    assert choking.category == "choking"
    assert predict("我真的不想活了").crisis > 0.5
    assert predict("补贴怎么申请").probabilities["safe"] > 0.5


def test_a_changed_bank_makes_the_classifier_stale(tmp_path: Path) -> None:
    bank = _tiny_bank(tmp_path / "bank")
    embedder = CharacterGramEmbedder()
    build_classifier(tmp_path / "model", embedder, bank)
    with (bank / "bank.yml").open("a", encoding="utf-8") as file:
        file.write('  - {text: "宝宝打嗝", label: safe}\n')
    assert not classifier_is_current(tmp_path / "model", embedder.identity, bank)


def test_predictions_are_probabilities(tmp_path: Path) -> None:
    embedder = CharacterGramEmbedder()
    build_classifier(tmp_path / "model", embedder, _tiny_bank(tmp_path / "bank"))
    classifier = TriageClassifier.load(tmp_path / "model")
    result = classifier.predict("随便一句话", embedder.embed_queries(["随便一句话"])[0])
    assert sum(result.probabilities.values()) == pytest.approx(1.0)
    assert len(result.neighbours) > 0
    assert np.isfinite(list(result.probabilities.values())).all()


# --- the decision ------------------------------------------------------------------------


def test_a_current_danger_sign_is_an_emergency(decider: TriageDecider) -> None:
    outcome = decider.decide("宝宝抽搐了 叫不醒", prediction(0.9))
    assert (outcome.outcome, outcome.category) == (EMERGENCY, "convulsions")


def test_a_sign_the_classifier_doubts_gets_one_question(decider: TriageDecider) -> None:
    doubted = "宝宝午睡的时候抽搐了 手脚抖了好几下 眼睛往上翻"
    assert decider.decide(doubted, prediction(0.02)).outcome == CHECK


@pytest.mark.parametrize(
    "text",
    [
        "宝宝刚才在床上玩的时候突然抽搐了 现在叫不醒",
        # From fresh_16 (a tuning set since): vetoed at 0.07 before urgency counted.
        "my son has been seizing for 6 minutes now, first time ever, what do I do",
    ],
)
def test_a_sign_said_to_be_happening_now_is_not_the_classifiers_to_doubt(
    decider: TriageDecider, text: str
) -> None:
    assert decider.decide(text, prediction(0.02)).outcome == EMERGENCY


def test_a_rules_alarm_is_never_dismissed_by_the_classifier(
    decider: TriageDecider,
) -> None:
    # Never an ordinary answer on the classifier's word alone: at most one question.
    longer = "宝宝午睡的时候抽搐了 手脚抖了好几下 眼睛往上翻"
    assert decider.decide(longer, prediction(0.001)).outcome == CHECK


def test_a_young_infants_measured_fever_is_never_vetoed(decider: TriageDecider) -> None:
    # The rule reads an age and a temperature, which the embedding cannot.
    text = "My 6 week old has a temp of 38.2, is it ok to give calpol and wait till morning?"
    assert decider.decide(text, prediction(0.01)).outcome == EMERGENCY
    # Another category in a message as long is asked about once.
    burn = "宝宝把热水碰翻了 烫到了手臂 起了好大的泡 要怎么处理"
    assert decider.decide(burn, prediction(0.05)).outcome == CHECK
    assert decider.decide(burn, prediction(0.2)).outcome == EMERGENCY


def test_a_short_message_with_a_danger_sign_cannot_be_vetoed(decider: TriageDecider) -> None:
    # In a few words the classifier has too little to overrule the rules.
    assert decider.decide("宝宝抽搐了 叫不醒", prediction(0.001)).outcome == EMERGENCY
    assert decider.decide("baby not breathing what do i do", prediction(0.01)).outcome == (
        EMERGENCY
    )


def test_the_classifier_alone_raises_the_alarm_with_its_category(decider: TriageDecider) -> None:
    outcome = decider.decide("孩子一动不动地躺着", prediction(0.95, category="unresponsive"))
    assert (outcome.outcome, outcome.category) == (EMERGENCY, "unresponsive")


def test_the_classifier_unsure_asks_once(decider: TriageDecider) -> None:
    assert decider.decide("宝宝有点不对劲", prediction(0.6)).outcome == CHECK
    assert decider.decide("宝宝几个月加辅食", prediction(0.1)).outcome == NORMAL


def test_a_sign_set_aside_by_the_rules_comes_back_when_the_classifier_is_sure(
    decider: TriageDecider,
) -> None:
    text = "上次也噎住过 宝宝现在又卡住了 脸发紫"
    assert decider.decide(text, prediction(0.95)).outcome == EMERGENCY


def test_a_barking_cough_gets_one_question_not_cold_advice(decider: TriageDecider) -> None:
    outcome = decider.decide("孩子咳嗽像狗叫一样 声音哑", prediction(0.2))
    assert (outcome.outcome, outcome.category) == (CHECK, "croup_stridor")
    assert "吸气" in decider.question(outcome.category, "zh")
    assert "breathing in" in decider.question(outcome.category, "en")


def test_a_few_characters_are_too_little_for_the_classifier_alone(
    decider: TriageDecider,
) -> None:
    # "2000左右" (a budget) sits near temperatures in embedding space.
    assert decider.decide("2000左右", prediction(0.99)).outcome == NORMAL
    assert decider.decide("22个月", prediction(0.99, crisis=0.0)).outcome == NORMAL
    # ...but a rule still sees a short emergency.
    assert decider.decide("救命 宝宝不动了", prediction(0.99)).outcome == EMERGENCY


def test_a_check_without_a_category_asks_the_general_question(decider: TriageDecider) -> None:
    assert "breathe" in decider.question(None, "en")
    assert "呼吸" in decider.question(None, "zh")


def test_a_joking_crisis_phrase_is_asked_about_once(decider: TriageDecider) -> None:
    text = "if my toddler asks why one more time I'm going to walk into the sea lol"
    outcome = decider.decide(text)
    assert (outcome.outcome, outcome.category) == (CHECK, "parent_crisis")


def test_a_parent_in_crisis_gets_the_crisis_outcome(decider: TriageDecider) -> None:
    assert decider.decide("我真的不想活了").outcome == CRISIS
    assert (
        decider.decide("everything is too much for me today", prediction(0.1, crisis=0.9)).outcome
        == CRISIS
    )
    unsure = decider.decide("I can't do this with the baby", prediction(0.1, crisis=0.4))
    assert (unsure.outcome, unsure.category) == (CHECK, "parent_crisis")
    assert "hurting yourself" in decider.question("parent_crisis", "en")


def test_a_dream_the_classifier_reads_as_a_crisis_is_asked_about_not_answered(
    decider: TriageDecider,
) -> None:
    text = "I had a nightmare that my son was taken from the park. Woke up sobbing."
    outcome = decider.decide(text, prediction(0.2, crisis=0.7))
    assert (outcome.outcome, outcome.category) == (CHECK, "parent_crisis")


def test_a_danger_to_the_child_that_is_over_leaves_the_crisis_to_the_classifier(
    decider: TriageDecider,
) -> None:
    # The child's sign is set aside (fell last month), so nothing stands between the parent's
    # despair and the crisis answer; a fall happening now would have been asked about.
    text = "he fell off the bed last month and he's fine now, but I feel empty and useless"
    assert decider.decide(text, prediction(0.05, crisis=0.8)).outcome == CRISIS


# The writer held back from harming the child: written for these tests in the shape of the
# crisis misses of fresh_20 and fresh_21 (a carer's near-harm read as abuse or a shaken baby).
HELD_BACK = [
    "我刚才差点把她从床上扔下去，我受不了了",
    "差一点就把枕头压在他脸上了，我赶紧出了房间",
    "雇主家孩子一直闹，我刚才差点掐他，手都伸出去了",
    "I came close to slapping my baby tonight. I walked away but I'm frightened",
    "I keep getting urges to push her face into the pillow when she screams",
    "我老是想把她按进澡盆里，我是不是疯了",
]


@pytest.mark.parametrize("text", HELD_BACK)
def test_a_carer_who_held_back_from_harm_is_in_crisis_not_reporting_abuse(
    decider: TriageDecider, text: str
) -> None:
    # The rules alone ask the crisis question (12356 first); never an abuse or fall alarm.
    alone = decider.decide(text)
    assert (alone.outcome, alone.category) == (CHECK, "parent_crisis")
    # The classifier agreeing that it is a crisis makes it the crisis answer, even when it
    # also reads the words as a danger to the child.
    sure = decider.decide(text, prediction(0.8, crisis=0.6))
    assert (sure.outcome, sure.category) == (CRISIS, "parent_crisis")
    unsure = decider.decide(text, prediction(0.8, crisis=0.1))
    assert (unsure.outcome, unsure.category) == (CHECK, "parent_crisis")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Someone else named as the one who did it: the child's danger, reported.
        ("保姆捂住他的嘴不让他哭，我在监控里看到的", "abuse"),
        (
            "I watched on the camera: the nanny almost threw him on the floor, then slapped him",
            "abuse",
        ),
        # Held back, and then the act happened anyway, or the child is hurt now.
        ("我刚才用力摇了他几下，现在他一直睡叫不太醒", "shaken_baby"),
        ("I shook him hard and now he's really sleepy", "shaken_baby"),
    ],
)
def test_harm_done_or_done_by_someone_else_is_still_the_childs_emergency(
    decider: TriageDecider, text: str, category: str
) -> None:
    outcome = decider.decide(text, prediction(0.9, crisis=0.1))
    assert (outcome.outcome, outcome.category) == (EMERGENCY, category)


def test_an_emergency_whose_writer_is_in_crisis_too_gets_12356_after_the_steps(
    decider: TriageDecider,
) -> None:
    # Held back, then harm done: the rules alone see both.
    done = decider.decide("我刚才差点掐他，他吓得往后一仰摔下了床，现在叫不醒")
    assert done.outcome == EMERGENCY
    assert done.parent_in_crisis
    # The classifier sure of a crisis in a child's emergency.
    text = "我用手捂住他的嘴捂了好一会儿，他脸都憋红了，我不敢再一个人带他了"
    assert decider.decide(text, prediction(0.5, crisis=0.6)).parent_in_crisis
    assert not decider.decide(text, prediction(0.9, crisis=0.1)).parent_in_crisis
    # Not a joke, and not when the despair is the child's own.
    assert not decider.decide(
        "宝宝噎住了 脸都紫了 我要疯了哈哈", prediction(0.9, crisis=0.6)
    ).parent_in_crisis
    teen = decider.decide(
        "女儿13岁，现在站在楼顶边上说要跳下去，我也不想活了", prediction(0.9, 0.9)
    )
    assert (teen.outcome, teen.parent_in_crisis) == (EMERGENCY, False)


@pytest.mark.parametrize(
    "text",
    [
        "孩子不听话，气得我想打他",
        "想把他扔给奶奶带几天，可以吗",
        "想给宝宝捂捂汗退烧行吗",
        "我想抱着宝宝晃一晃哄睡",
        "我真的很怕自己会压到宝宝，一起睡安全吗",
        "我小时候差点淹死过，所以特别怕带孩子去游泳",
        "想学一下婴儿心肺复苏，和大人按压的位置一样吗",
        "I almost dropped the baby getting out of the bath but caught her",
    ],
)
def test_everyday_words_near_harm_are_not_held_back(decider: TriageDecider, text: str) -> None:
    assert not decider.rules.held_back.spans(text)
    assert decider.decide(text).outcome == NORMAL


@pytest.mark.parametrize(
    "text",
    ["儿子12岁，刚才发微信跟我说不想活了", "my 14 year old daughter texted that she wants to die"],
)
def test_a_childs_own_words_get_the_childs_question_not_the_parents(
    decider: TriageDecider, text: str
) -> None:
    # The classifier reads despair; the rules see whose it is (fresh_22: a 14-year-old's).
    outcome = decider.decide(text, prediction(0.2, crisis=0.6))
    assert (outcome.outcome, outcome.category) == (CHECK, "child_self_harm")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_crisis_question_gives_12356_before_it_asks(
    decider: TriageDecider, language: str
) -> None:
    question = decider.question("parent_crisis", language)
    assert question.index("12356") < question.rindex("?" if language == "en" else "？")
    assert "12356" not in decider.question("choking", language)


@pytest.mark.parametrize(
    "text",
    [
        # Veiled crises from fresh_10 (a tuning set since): the rules see them now.
        "how many of my antidepressants would it take to just not wake up",
        "有时候抱着孩子站在窗边，会想如果我们一起掉下去，是不是就都解脱了",
        # ...and from fresh_12 and bank writer E: farewells, urges while driving, plans.
        "如果我哪天不在了 麻烦群里的姐妹帮我照顾下我女儿 她怕黑",
        "作为爸爸不该说这些 但我最近开车的时候经常想一脚油门冲出去",
        "Sometimes I imagine just walking into traffic. Is that normal after having a baby?",
        "问下北京哪里能买到木炭 关好门窗应该就行了吧 孩子已经送到她奶奶家了",
        "how many paracetamol would it take for an adult. asking for no particular reason",
        "老公 孩子的疫苗本在抽屉第二层 医保卡在我包里 以后麻烦你了 对不起",
        # From fresh_14 (a tuning set since): self-harm is a crisis though the cut is over.
        "刚才又拿刀片划了手腕 血止住了 孩子在隔壁睡觉 不知道该跟谁说",
    ],
)
def test_veiled_crises_are_seen_by_the_rules(decider: TriageDecider, text: str) -> None:
    assert decider.decide(text).outcome == CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "终于解脱了，孩子上幼儿园了",
        "I never wake up before 6 anyway",
        # A husband jumping in to pull the child out is a drowning, not a parent in crisis.
        "一转身女儿就滑进水里了 我老公跳下去把她抱上来 她一直咳",
        # From fresh_15 (a tuning set since): said not to be one, a child's words, "ge wan"
        # inside "yi ge wanshang".
        "not suicidal or anything lol just SO done with the tantrums",
        "孩子玩游戏输了突然说“我不想活了” 说完又去抢玩具了 才四岁 从哪学的",
        "wo jia baobao wanshang zong shi xing, yi ge wanshang xing wu liu ci, zenme ban a",
    ],
)
def test_everyday_relief_and_sleep_are_not_a_crisis(decider: TriageDecider, text: str) -> None:
    assert decider.decide(text).outcome != CRISIS


@pytest.mark.parametrize(
    "text",
    [
        # From fresh_23 (a tuning set since): questions about suicide, not a crisis.
        "孩子问我什么是自杀，因为电视里演了，我当时愣住了不知道怎么回答，九岁，应该怎么说比较好",
        "How do I explain to my 6yo that his classmate's dad died by suicide? The kids are talking",
    ],
)
def test_a_question_about_suicide_is_not_answered_as_a_crisis(
    decider: TriageDecider, text: str
) -> None:
    assert decider.decide(text, prediction(0.05, crisis=0.9)).outcome != CRISIS


# Messages from the issue: emergencies that were missed, near-misses that raised alarms. The
# rules alone must get these right (the gateway's fallback has only the rules).
@pytest.mark.parametrize(
    ("text", "outcome", "category"),
    [
        ("我家两岁的儿子刚才在小区泳池里 被发现脸朝下漂着", EMERGENCY, "drowning"),
        ("my 1 year old licked the cockroach poison gel under the sink", EMERGENCY, "poisoning"),
        ("奶奶嫌孩子哭 使劲摇了孩子好几下 现在孩子一直睡", EMERGENCY, "shaken_baby"),
        ("宝宝吃苹果噎主了 喘不上来", EMERGENCY, "choking"),
        ("fever and a rash that doesnt fade when i press a glass, she is floppy", EMERGENCY, None),
        ("孩子吃了花生 嘴唇和眼睛都肿了 一直在咳", EMERGENCY, "anaphylaxis"),
        ("拉了一天 10个小时没尿 眼窝都凹下去了", EMERGENCY, "severe_dehydration"),
        ("孩子头撞到桌角 吐了三次 一直想睡", EMERGENCY, "head_injury"),
        ("以前学过海姆立克但现在脑子一片空白 宝宝卡住了 怎么拍", EMERGENCY, "choking"),
        ("药箱里的药被他吃了好几颗 是他爷爷的降压药", EMERGENCY, "poisoning"),
        ("学过海姆立克 可是现在他噎住了 脸都紫了", EMERGENCY, "choking"),
        ("宝宝手指被门夹断了一截，血止不住", EMERGENCY, "severe_bleeding"),
        ("I have a fever of 39, can I still breastfeed?", NORMAL, None),
        ("burned my hand on the kettle, how to treat?", NORMAL, None),
        ("宝宝感冒流鼻涕三天了", NORMAL, None),
        ("宝宝背上有块胎记", NORMAL, None),
        ("新生儿老是打嗝怎么办", NORMAL, None),
        ("鼻血已经止住了 要紧吗", NORMAL, None),
        ("she choked a little on a cracker but she is fine now", NORMAL, None),
        ("宝宝发烧四天了 精神还好 两岁", NORMAL, None),
        ("我自己发烧39度还要带娃", NORMAL, None),
        ("I want to die", CRISIS, "parent_crisis"),
        ("我真的撑不下去了 想抱着孩子一起跳下去", CRISIS, "parent_crisis"),
        ("笑死我了 宝宝学小狗叫", NORMAL, None),
    ],
)
def test_the_issues_messages_by_the_rules_alone(
    decider: TriageDecider, text: str, outcome: str, category: str | None
) -> None:
    decided = decider.decide(text)
    assert decided.outcome == outcome, (text, decided)
    if category is not None:
        assert decided.category == category


def test_the_classifier_alone_asks_the_general_question(decider: TriageDecider) -> None:
    # Its category is a guess: a category's own question about the wrong danger gets "no".
    text = "Our nanny texted that the little one is sleeping somewhere and it is very hot out"
    outcome = decider.decide(text, prediction(0.6, category="meningitis_sepsis"))
    assert (outcome.outcome, outcome.category) == (CHECK, None)


def test_pinyin_is_asked_about_not_alarmed_on_the_classifiers_word(
    decider: TriageDecider,
) -> None:
    # From fresh_17 (a tuning set since): a two-day cough in pinyin scored 0.72 as drowning.
    text = "haizi ke sou le liang tian, bu fa shao, chi fan zheng chang, yao chi yao ma"
    assert decider.decide(text, prediction(0.9, category="drowning")).outcome == CHECK
    # The rules still read pinyin danger signs.
    assert decider.decide("baobao tunle niukou dianchi zenme ban", prediction(0.1)).outcome == (
        EMERGENCY
    )


def test_every_categorys_own_question_is_in_both_languages(decider: TriageDecider) -> None:
    asking = [c for c in decider.rules.categories if c.check]
    assert len(asking) >= 10
    for category in asking:
        assert category.check.get("zh", "").endswith("？"), category.key
        assert category.check.get("en", "").endswith("?"), category.key
    # A swallowed battery is asked about as such, not as breathing or waking.
    assert "电池" in decider.question("poisoning", "zh")
    assert "battery" in decider.question("poisoning", "en")
