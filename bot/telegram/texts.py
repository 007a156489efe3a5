"""What the Telegram connector says itself (commands, media it cannot read, failures)."""

from __future__ import annotations

from knowledge_base.language import Language

_TEXTS: dict[str, dict[Language, str]] = {
    "start": {
        "zh": (
            "您好，我是托育助手 👋\n"
            "我可以：\n"
            "• 回答育儿问题（发烧、辅食、睡眠……），每条回答都注明来源；\n"
            "• 帮您找附近已备案的托育机构、查机构是否备案；\n"
            "• 讲解托育补贴和个税专项附加扣除。\n"
            "遇到紧急情况请直接拨打 120（医疗）或 110（警察）。\n\n"
            "数据说明：我们保存对话内容以便继续对话（手机号、身份证号会被遮盖），"
            "只在需要时记录孩子的月龄，不收集姓名。发送 /privacy 了解详情，"
            "/delete 可随时删除您的数据。"
        ),
        "en": (
            "Hello, I'm Tuoyu, Beijing's childcare assistant 👋\n"
            "I can:\n"
            "• answer parenting questions (fever, first foods, sleep…), each with its source;\n"
            "• find registered childcare near you, or check whether a place is registered;\n"
            "• explain the childcare subsidy and the income-tax deduction.\n"
            "In an emergency call 120 (medical) or 110 (police) straight away.\n\n"
            "Your data: the conversation is kept so we can continue it (phone and ID numbers "
            "are masked); only your child's age in months is asked, never names. "
            "Send /privacy for details and /delete to erase your data at any time."
        ),
    },
    "help": {
        "zh": (
            "直接输入您的问题即可，例如“宝宝发烧38度5怎么办”或“望京附近有普惠托育吗”。\n"
            "找托育时可以点“📍 发送我的位置”。\n"
            "命令：/lang 切换语言，/reset 重新开始，/privacy 隐私说明，/delete 删除我的数据。\n"
            "紧急情况请拨打 120 或 110。"
        ),
        "en": (
            'Just type your question, e.g. "my baby has a fever of 38.5" or "inclusive '
            'daycare near Wangjing".\n'
            'When looking for childcare you can tap "📍 Share my location".\n'
            "Commands: /lang language, /reset start over, /privacy how data is used, "
            "/delete erase my data.\n"
            "In an emergency call 120 or 110."
        ),
    },
    "privacy": {
        "zh": (
            "隐私说明：\n"
            "• 保存的内容：您发来的文字（手机号、身份证号自动遮盖）、对话进度，"
            "以及您告诉我们的孩子月龄；我没能回答的问题、您点了 👎 的回答对应的问题"
            "会匿名进入工作人员的待补充列表。\n"
            "• 分享位置只用于查找附近机构，精确到约 100 米。\n"
            "• 不收集姓名、电话；不向第三方提供。\n"
            "• 发送 /delete 可删除与您有关的全部对话和记录。"
        ),
        "en": (
            "Privacy:\n"
            "• What is kept: the text you send (phone and ID numbers are masked), where the "
            "conversation is, and your child's age in months if you give it; questions I "
            "could not answer, and those whose answer you rated 👎, go, without your "
            "identity, to staff who add answers.\n"
            "• A shared location is only used to find nearby places, rounded to about 100 m.\n"
            "• No names or phone numbers are collected; nothing is given to third parties.\n"
            "• Send /delete to erase the conversation and everything kept about you."
        ),
    },
    "lang_question": {
        "zh": "请选择语言 / Choose a language:",
        "en": "Choose a language / 请选择语言:",
    },
    "lang_set": {
        "zh": "好的，之后我会用中文回复。",
        "en": "OK, I'll reply in English from now on.",
    },
    "reset_done": {
        "zh": "已重新开始对话。有什么可以帮您？",
        "en": "We've started over. How can I help?",
    },
    "delete_question": {
        "zh": "确定要删除与您有关的全部对话和记录吗？删除后无法恢复。",
        "en": "Erase the whole conversation and everything kept about you? This cannot be undone.",
    },
    "delete_yes": {"zh": "确认删除", "en": "Yes, erase"},
    "delete_no": {"zh": "取消", "en": "Cancel"},
    "delete_done": {
        "zh": "已删除与您有关的对话和记录。您可以随时重新开始提问。",
        "en": "Done: the conversation and everything kept about you are erased. "
        "You can start again any time.",
    },
    "delete_cancelled": {"zh": "好的，没有删除任何内容。", "en": "OK, nothing was erased."},
    "delete_failed": {
        "zh": "抱歉，现在无法删除，没有删除任何内容。请稍后再发送 /delete。",
        "en": "Sorry, I can't erase it right now, so nothing was erased. "
        "Please send /delete again shortly.",
    },
    "unsupported": {
        "zh": "抱歉，我现在只能读文字消息和位置，暂时不能处理语音、图片、贴纸或文件。"
        "请用文字描述您的问题；紧急情况请直接拨打 120。",
        "en": "Sorry, I can only read text messages and locations, not voice notes, photos, "
        "stickers or files. Please type your question; in an emergency call 120.",
    },
    "expired_button": {
        "zh": "这个按钮已经过期了，请直接输入您的问题。",
        "en": "That button has expired; please type your question instead.",
    },
    "share_location": {"zh": "📍 发送我的位置", "en": "📍 Share my location"},
    "share_location_hint": {
        "zh": "也可以点下方按钮发送位置（只精确到约 100 米）。",
        "en": "Or tap the button below to share your location (kept to about 100 m).",
    },
    "try_again": {
        "zh": "抱歉，刚才的回复没能发出，请再发一次。紧急情况请直接拨打 120。",
        "en": "Sorry, my reply could not be delivered; please send your message again. "
        "In an emergency call 120.",
    },
    "rate_up": {"zh": "👍 有帮助", "en": "👍 Helpful"},
    "rate_down": {"zh": "👎 没帮助", "en": "👎 Not helpful"},
    "rated_up": {"zh": "谢谢您的反馈！", "en": "Thanks for your feedback!"},
    "rated_down": {
        "zh": "谢谢反馈，工作人员会查看这条回答。",
        "en": "Thanks: staff will look at this answer.",
    },
    "rating_expired": {
        "zh": "这条回答已经不能评价了。",
        "en": "This answer can no longer be rated.",
    },
    "private_only": {
        "zh": "为保护隐私，请私聊我提问。",
        "en": "To keep your questions private, please message me directly.",
    },
}


def text(key: str, language: Language) -> str:
    return _TEXTS[key][language]


def language_of(code: str | None) -> Language:
    """A Telegram user's interface language as one Tuoyu speaks (Chinese unless English)."""
    return "en" if (code or "").lower().startswith("en") else "zh"
