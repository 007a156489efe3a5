"""Reply latency through /api/chat and memory of the three processes.

    .venv/bin/python -m benchmarks.latency [--turns 200]

Starts its own stack on free ports (bot.local_stack), sends TURNS plain turns (greetings,
thanks, "are you a bot": Rasa only), TURNS turns that run action_answer_question, each
conversation 10 turns long, TURNS childcare-finder turns (a search with place and age,
then refinements: the form, its validation action and the search), and TURNS triage turns
(emergencies, a parent in crisis and borderline messages that get the one question), then
reads the resident memory of each process tree. Every turn runs the triage component (rules
and the classifier) inside Rasa.
Targets: plain p95 <= 80 ms, action p95 <= 250 ms, all three together <= 2.5 GB; the finder
and triage turns are reported against the action target.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from benchmarks.common import save, summary_ms
from bot.local_stack import local_stack

PLAIN = ["你好", "谢谢", "你是机器人吗", "hello", "thanks a lot", "好的", "are you a bot?", "拜拜"]
QUESTIONS = [
    "宝宝几个月可以加辅食？",
    "3岁以下个税能扣多少",
    "育儿补贴怎么领",
    "when can my baby start solid food?",
    "宝宝发烧38度5要去医院吗",
    "小孩能看手机吗",
    "托班几岁能上",
    "how much is the tax deduction for my toddler",
    "入托总哭怎么办",
    "疫苗在哪打",
    # Long posts: reduced to their question and key facts before the search.
    "各位宝妈好，我家闺女14个月，最近半个月每天半夜都要醒好几次，哭着要抱，以前都能睡整觉。"
    "婆婆说是缺钙，让我买钙片，老公说是白天玩得太兴奋了。想问下一岁多的孩子夜里频繁醒是怎么回事？",
    "Hi all, first time mum to a 5 month old girl. The grandparents keep giving her water and "
    "rice cereal because they think breast milk isn't enough anymore. She's gaining weight "
    "fine and feeds well. When should I actually start solids and does she need water yet?",
]
FINDER = [
    "望京附近有普惠的托育吗 孩子22个月",
    "要有空位的",
    "不超过3000",
    "还有别的吗",
    "回龙观附近的托育机构 宝宝1岁半",
    "半日托的有吗",
    "Find a daycare near Zhongguancun for my 14 month old",
    "only inclusive ones",
    "朝阳区劲松附近的托儿所 两岁",
    "清除条件",
]
CONVERSATION_TURNS = 10
Chat = Callable[[str, str], tuple[int, dict[str, Any]]]


def tree_rss_mb(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return round(total / 2**20, 1)


TRIAGE = [
    "宝宝突然抽搐了 眼睛往上翻 叫不醒",
    "my 10 month old is choking on a grape and can't cry",
    "我真的撑不下去了 不想活了",
    "my toddler has a barking cough",
    "孩子吃了花生 嘴唇和眼睛都肿了 一直在咳",
    "两个月宝宝发烧38.5度",
]


def timed_turns(stack_chat: Chat, messages: list[str], turns: int, tag: str) -> list[float]:
    samples: list[float] = []
    for turn in range(turns):
        sender = f"bench-{tag}-{turn // CONVERSATION_TURNS}"
        message = messages[turn % len(messages)]
        started = time.perf_counter()
        status, _ = stack_chat(sender, message)
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"turn {turn} ({message!r}) got HTTP {status}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    # Every simulated parent comes from 127.0.0.1: the per-address limit would stop the run.
    no_address_limit = {"TUOYU_RATE_PER_ADDRESS": "1000000"}
    with (
        tempfile.TemporaryDirectory(prefix="tuoyu-bench-") as tmp,
        local_stack(Path(tmp), overrides=no_address_limit) as stack,
    ):
        plain = timed_turns(stack.chat, PLAIN, args.turns, "plain")
        action = timed_turns(stack.chat, QUESTIONS, args.turns, "action")
        finder = timed_turns(stack.chat, FINDER, args.turns, "finder")
        triage = timed_turns(stack.chat, TRIAGE, args.turns, "triage")
        rss = {name: tree_rss_mb(pid) for name, pid in stack.pids().items()}
    result = {
        "turns_each": args.turns,
        "plain_turn": summary_ms(plain),
        "action_turn": summary_ms(action),
        "finder_turn": summary_ms(finder),
        "triage_turn": summary_ms(triage),
        "rss_mb_after_turns": {**rss, "total": round(sum(rss.values()), 1)},
        "targets": {"plain_p95_ms": 80, "action_p95_ms": 250, "total_rss_mb": 2560},
    }
    path = save("latency", result)
    print(f"plain turn : {result['plain_turn']}")
    print(f"action turn: {result['action_turn']}")
    print(f"finder turn: {result['finder_turn']}")
    print(f"triage turn: {result['triage_turn']}")
    print(f"RSS (MB)   : {result['rss_mb_after_turns']}")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
