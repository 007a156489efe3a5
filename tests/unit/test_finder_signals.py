import pytest

from knowledge_base.registry.finder_signals import (
    check_not_search,
    could_be_check,
    could_be_search,
)


@pytest.mark.parametrize(
    "text",
    [
        "回龙观",
        "望京附近有普惠托育吗",
        "要有空位的",
        "不超过3000",
        "再看几家",
        "有没有更近的",
        "要能收一岁孩子的",
        "Find a daycare near Wangjing",
        "only inclusive ones",
        "anything closer?",
        "Chaoyang District",
    ],
)
def test_what_the_finder_can_use_keeps_the_finder(text: str) -> None:
    assert could_be_search(text)


@pytest.mark.parametrize(
    "text",
    [
        "白天小睡只睡半小时就醒",
        "家里有楼梯怎么防止孩子爬上去",
        "下回再来找你",
        "推荐个降噪耳机",
        "is co-sleeping dangerous",
        "are the optional paid vaccines worth it",
    ],
)
def test_a_parenting_question_is_not_a_search(text: str) -> None:
    assert not could_be_search(text)


@pytest.mark.parametrize(
    "text",
    [
        "小太阳托育中心备案了吗",
        "这家是不是黑机构",
        "is Starlight Tots a legal daycare",
        "京朝卫托备2023-0015",
    ],
)
def test_registration_words_or_a_number_keep_the_check(text: str) -> None:
    assert could_be_check(text)


@pytest.mark.parametrize(
    "text", ["北京对0到3岁托育有啥规划", "去托育中心实地考察要注意啥", "teething?"]
)
def test_no_registration_word_is_no_check(text: str) -> None:
    assert not could_be_check(text)


@pytest.mark.parametrize(
    "text", ["这家托育机构靠谱吗", "这个托育园正规吗", "is this daycare legit?"]
)
def test_is_this_place_legitimate_is_a_check(text: str) -> None:
    assert check_not_search(text)


@pytest.mark.parametrize(
    "text", ["附近有正规的托育吗", "望京有备案的托育机构吗", "要正规的 再看几家"]
)
def test_searching_for_legitimate_places_is_still_a_search(text: str) -> None:
    assert not check_not_search(text)
