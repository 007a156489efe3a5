"""What kind of message this is, before any classifier has a say.

Two questions, both asked of the parent's words only:

- `mentions_parenting`: does it talk about a child, childcare, a parent's leave, money or
  health as a parent? Such a message is never out of scope: the knowledge base answers it, or
  says honestly that it does not know yet.
- `could_be_dialogue_act`: is it short and plain enough to be a greeting, thanks, yes or no?
  "孩子不睡觉怎么办" has no question mark and contains 不, yet it is a question, not a "no": a
  dialogue act is a few words, asks nothing (social phrases aside) and says nothing about a
  child.

Runs in both Python environments (Rasa's is 3.10): keep it compatible.
"""

from __future__ import annotations

import re

from knowledge_base.language import text_size
from knowledge_base.text.normalise import normalise

# Words for a child, the people and places around them, and the family policies Tuoyu covers.
# A message holding one of these is about parenting whatever a classifier thinks.
_PARENTING_ZH = re.compile(
    r"孩子|宝宝|宝贝|小孩|小朋友|娃|婴|幼儿|儿童|儿子|女儿|闺女|新生儿|小宝|大宝|二宝|三宝|男宝|女宝|"
    r"托育|托班|托儿|早教|幼儿园|保育|育儿|带娃|哄睡|夜醒|喂奶|母乳|哺乳|吸奶|奶粉|奶瓶|辅食|断奶|"
    r"尿布|纸尿裤|尿不湿|如厕|疫苗|接种|体检|儿保|儿科|出牙|长牙|湿疹|黄疸|脐带|囟门|"
    r"产假|陪产|育儿假|生育|怀孕|孕|坐月子|月子|产后|月嫂|育儿嫂|保姆|"
    r"(?:育儿|托育|生育|养育)补贴|专项附加扣除|落户|出生证|出生医学证明|普惠|备案"
)
_PARENTING_EN = re.compile(
    r"\b(?:bab(?:y|ies)|toddlers?|infants?|newborns?|kids?|child(?:ren)?|son|daughter|"
    r"boy|girl|twins|little one|lo|ds|dd|(?:\d+\s*(?:yo|mo|m|months?|weeks?|wks?)\b)|"
    r"nurser(?:y|ies)|daycares?|day care|childcare|child care|creche|kindergarten|"
    r"preschool|nanny|nannies|childminder|ayi|"
    r"breast ?feed\w*|breast ?milk|formula|bottles?|nappy|nappies|diapers?|potty|"
    r"weaning|solids|purees?|teething|colic|jaundice|vaccin\w*|immuni[sz]\w*|jabs?|"
    r"pregnan\w*|postpartum|postnatal|maternity|paternity|parental leave|parenting|"
    r"parents?|mum|mom|dad|subsidy|hukou|tax deduction|pediatric\w*|paediatric\w*)\b",
    re.IGNORECASE,
)

# Question words. A lone 吗 is not one: "在吗" greets.
_QUESTION_ZH = re.compile(
    r"怎么|怎样|咋|如何|什么|啥|为什么|为何|哪|几|多少|多久|多大|能不能|可不可以|可以吗|行不行|"
    r"要不要|是不是|有没有|会不会|该不该|正常吗|好吗|对吗|需要吗|办法"
)
# Auxiliaries ask only at the start ("is it normal..."); "yes it is" and "no I don't" answer.
_QUESTION_EN = re.compile(
    r"\b(?:how|what|why|when|where|which|who|whom|whose|anyone|any tips|advice|help me)\b|"
    r"^\W*(?:is|are|am|does|do|did|can|could|should|would|will|shall|may|must|has|have)\b",
    re.IGNORECASE,
)
# Social questions that greet rather than ask.
_SOCIAL = re.compile(
    r"你好吗|您好吗|最近(?:怎么样|好吗)|在吗|在不在|\bhow are (?:you|u)\b|\bhow's it going\b|"
    r"\bhow do you do\b|\bwhat'?s up\b|\bare you (?:there|around)\b|"
    r"\b(?:can|could) (?:you|u) help(?: me)?\b|\bi have a question\b|"
    r"我想问(?:一下|个问题)?|请问一下",
    re.IGNORECASE,
)
# Longer than this and a message is telling or asking something, not just greeting or
# answering. Measured in Chinese characters and in Latin words.
_DIALOGUE_ACT_MAX_CJK = 12
_DIALOGUE_ACT_MAX_WORDS = 8


def mentions_parenting(text: str) -> bool:
    """True when the message talks about a child, childcare or family policy."""
    text = normalise(text)
    return bool(_PARENTING_ZH.search(text) or _PARENTING_EN.search(text))


def asks_something(text: str) -> bool:
    """True when the message has a question word in it (a question mark alone is not enough:
    "hi?" and "在吗？" greet)."""
    text = normalise(text)
    return bool(_QUESTION_ZH.search(text) or _QUESTION_EN.search(text))


def could_be_dialogue_act(text: str) -> bool:
    """True for a short message that could be greet, thanks, goodbye, yes or no on its own."""
    cjk, words = text_size(text)
    if cjk > _DIALOGUE_ACT_MAX_CJK or words > _DIALOGUE_ACT_MAX_WORDS:
        return False
    if mentions_parenting(text):
        return False
    return not asks_something(_SOCIAL.sub(" ", normalise(text)))
