"""A working day at the staff console in real headless Chromium, on the three real processes.

One flow, as staff go through it: sign in; change an entry and publish it, and parents get the
new text from /api/chat with no restart; turn three questions nobody could answer into a new
entry (the review queue groups them, "start a new entry" fills in their wordings, a second
editor publishes it: four eyes), after which the bot answers all three from it; upload a
registry file with a bad row, read the row's problem in the preview, import the good row.

Every form is filled and submitted by clicking and typing, nothing is posted by hand. The stack
is one of its own, over copies of the content folder and index (publishing writes files; the
project's own must stay as they are) and a var/ folder of its own (accounts, the review queue,
the registry).
"""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Locator,
    Page,
    expect,
)

from bot.local_stack import LocalStack
from bot.settings import Settings
from knowledge_base.content import load_entries
from knowledge_base.review_groups import GROUPING_THRESHOLD
from knowledge_base.review_queue import ReviewQueue
from tests.integration.browsers import chromium
from tests.integration.console_stack import console_stack
from tests.unit.console_support import registry_csv
from tests.unit.test_registry import row as registry_row

pytestmark = pytest.mark.integration

ACCOUNTS = {  # username: (role, password)
    "writer": ("editor", "Amber+lantern-82"),
    "checker": ("editor", "Quiet-harbor-71"),
    "registrar": ("registry", "Copper/meadow-93"),
}
WAIT_MS = 120_000  # a page, or the review queue's first grouping (loads the model)
PUBLISH_MS = 300_000  # a publish's index rebuild, on 2 shared cores
SWAP_TIMEOUT_S = 120.0  # the action server swapping to the new index after a publish

# Step 2: an entry that is neither medical nor policy, so its own editor publishes it.
EDITED = "screen-time-under-3"
EDITED_QUESTION = "一岁宝宝可以看动画片吗？"
OLD_TIP = "- 吃饭和睡前不放视频；"
NEW_TIP = "- 吃饭和睡前不放视频，没人看的电视也关掉；"

# Step 4: a subject no entry covers (the bot is "not sure": about 0.90 with the e5 model,
# below the middle tier's 0.905), in three wordings well above the grouping threshold (0.99+
# with each other).
UNANSWERED = ("怎么给宝宝挑选安全的玩具", "如何给宝宝挑选安全的玩具", "怎么给宝宝选安全的玩具")
NEW_ID = "toys-choosing-safe"
NEW_ENTRY = {
    "topics": "safety, play",  # safety: a medical topic, so a second editor publishes it
    "age_min": "0",
    "age_max": "36",
    "related": "choking-risk-foods",
    "title_zh": "怎样给3岁以下的孩子挑选安全的玩具？",
    "summary_zh": (
        "给3岁以下的孩子挑玩具，先看标签上的适用年龄，标明不适合3岁以下儿童的不要给。"
        "不选有能整个放进嘴里的小零件、小磁铁、纽扣电池或长绳带的玩具。"
        "玩具要常检查、常清洗，坏了及时修好或扔掉。"
    ),
    "body_zh": (
        "给3岁以下的孩子挑玩具，安全第一：\n"
        "- 看标签：从正规渠道购买，看清适用年龄，写着“不适合3岁以下儿童”的不要给小宝宝；\n"
        "- 不要小零件：能整个放进嘴里的小零件、容易脱落的眼睛和纽扣、小磁铁、纽扣电池，"
        "都可能被吞下或塞进鼻子、耳朵；\n"
        "- 不要长绳带：绳子、带子太长可能缠住脖子；\n"
        "- 看做工：边角圆滑，没有尖刺、毛刺，没有刺鼻的气味；\n"
        "- 常检查：玩具破了、松了及时修好或扔掉，经常清洗。\n\n"
        "孩子玩的时候大人在旁边看着，零件多的玩具收到孩子够不着的地方。"
    ),
    "title_en": "How do I choose safe toys for a child under 3?",
    "summary_en": (
        "Check the age on the label first and keep toys marked as unsuitable for children "
        "under 3 away from them. Avoid toys with parts small enough to fit whole in the mouth, "
        "small magnets, button batteries or long cords. Check and wash toys often, and mend or "
        "throw away broken ones."
    ),
    "body_en": (
        "For a child under 3, safety comes first when choosing toys:\n"
        "- Read the label: buy from proper shops and check the age range; do not give a baby "
        "a toy marked as unsuitable for children under 3;\n"
        "- No small parts: parts that fit whole in the mouth, eyes and buttons that come off, "
        "small magnets and button batteries can be swallowed or pushed into a nose or ear;\n"
        "- No long cords: a long string or strap can wrap around the neck;\n"
        "- Look at how it is made: rounded edges, no sharp points or splinters, no strong "
        "smell;\n"
        "- Check often: mend or throw away toys that are broken or loose, and wash them "
        "often.\n\n"
        "Stay close while your child plays, and keep toys with many small pieces out of reach."
    ),
    # A real public document on preventing injuries to babies and toddlers (异物伤害, 窒息).
    "source_issuer": "国家卫生健康委员会办公厅",
    "source_document": "托育机构婴幼儿伤害预防指南（试行）",
    "source_date": "2021-01",
}
NEW_ANSWER_LINE = "给3岁以下的孩子挑玩具，安全第一"

# Step 5: one good row and one bad; the sample registry has no "E2E" numbers.
GOOD_NUMBER = "E2E-CONSOLE-001"
BAD_NUMBER = "E2E-CONSOLE-002"
GOOD_NAME = "浏览器测试示例托育园"

_senders = itertools.count(1)
T = TypeVar("T")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The three processes over copies of the content and index, with the staff's accounts."""
    with console_stack(tmp_path_factory.mktemp("console-browser"), ACCOUNTS) as started:
        yield started
    # Nothing reached the project's own content folder.
    project = Settings.from_env()
    assert not (project.content_dir / f"{NEW_ID}.md").exists()
    assert NEW_TIP not in (project.content_dir / f"{EDITED}.md").read_text("utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def staff(browser: Browser, stack: LocalStack) -> Iterator[dict[str, Page]]:
    """Each member of staff in a browser profile of their own (own cookies)."""
    contexts: list[BrowserContext] = []
    pages: dict[str, Page] = {}
    for username in ACCOUNTS:
        context = browser.new_context(base_url=stack.base_url, locale="zh-CN")
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        pages[username] = context.new_page()
    try:
        yield pages
    finally:
        for context in contexts:
            context.close()


@contextmanager
def screenshots_on_failure(pages: dict[str, Page], folder: Path) -> Iterator[None]:
    """On a failure, a screenshot of every page is kept in folder (named in the report)."""
    try:
        yield
    except BaseException as failure:
        saved = []
        for name, page in pages.items():
            try:
                path = folder / f"{name}.png"
                page.screenshot(path=str(path), full_page=True)
                saved.append(f"{path} ({page.url})")
            except Exception:  # a closed page: the failure itself matters more
                continue
        if saved and isinstance(failure, Exception):
            failure.add_note("Screenshots: " + ", ".join(saved))
        raise


# -- helpers -------------------------------------------------------------------------------


def poll(check: Callable[[], T | None], timeout_s: float, what: str) -> T:
    """check() every second until it returns something; fails with `what` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, what
        time.sleep(1.0)


def ask(stack: LocalStack, question: str) -> tuple[str, list[dict[str, Any]]]:
    """A parent asks through /api/chat; the sender (new each time) and the replies."""
    sender = f"console-browser-{next(_senders)}"
    status, body = stack.chat(sender, question)
    assert status == 200, body
    replies: list[dict[str, Any]] = body["replies"]
    assert replies, body
    return sender, replies


def answered(replies: list[dict[str, Any]]) -> str | None:
    """The text of a confident answer (the one reply parents can rate), else None."""
    rated = [str(r.get("text", "")) for r in replies if "feedback" in r]
    return rated[0] if rated else None


def answered_from(stack: LocalStack, question: str, entry_id: str) -> str | None:
    """The answer's text when the bot answers question confidently from entry_id (the entry
    Rasa's last_entry_id slot names), else None."""
    sender, replies = ask(stack, question)
    text = answered(replies)
    if text is None or stack.tracker(sender)["slots"].get("last_entry_id") != entry_id:
        return None
    return text


def sign_in(page: Page, username: str) -> None:
    page.goto("/admin/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(ACCOUNTS[username][1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {username}")).to_be_visible()


def flash(page: Page) -> Locator:
    """The message the last action left on the page."""
    return page.locator("p.flash").first


def nav(page: Page, name: str) -> None:
    """Follows a link of the console's top navigation."""
    page.get_by_role("navigation", name="Console").get_by_role("link", name=name).click()


def field(page: Page, name: str) -> Locator:
    """A field of the entry form (its labels are long; names are stable)."""
    return page.locator(f'form.kb-form [name="{name}"]')


def open_entry(page: Page, entry_id: str, *, state: str = "") -> None:
    """Finds an entry from the knowledge-base list, as staff do, and opens it."""
    nav(page, "Knowledge base")
    page.get_by_label("Words (id, titles, questions, text)").fill(entry_id)
    if state:
        page.get_by_label("Status").select_option(state)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=entry_id, exact=True).click()
    expect(page.get_by_role("heading", name=entry_id, exact=True)).to_be_visible()


def publish(page: Page, entry_id: str) -> None:
    """Clicks Publish on the entry's page and watches the rebuild's status page (it reloads
    itself every second) until the new index is in."""
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/kb/publishing/"))
    main = page.locator("main")
    expect(main).to_contain_text(f"Publishing {entry_id}")
    expect(main).to_contain_text(re.compile("Done in|could not be rebuilt"), timeout=PUBLISH_MS)
    expect(main).to_contain_text("Done in")


# -- the flow ------------------------------------------------------------------------------


def test_a_day_at_the_console_in_chromium(
    stack: LocalStack, staff: dict[str, Page], tmp_path: Path
) -> None:
    pids = stack.pids()
    writer, checker, registrar = staff["writer"], staff["checker"], staff["registrar"]
    with screenshots_on_failure(staff, tmp_path):
        # 1. Signing in: the form at /admin/login.
        for username, page in staff.items():
            sign_in(page, username)
        edit_and_publish(stack, writer)
        new_entry_from_the_review_queue(stack, writer, checker)
        import_a_registry_file(stack, registrar)

    assert stack.pids() == pids  # nothing was restarted
    assert all(process.running for process in stack.processes.values())
    assert load_entries(stack.settings.content_dir).problems == []  # what was written passes


def edit_and_publish(stack: LocalStack, writer: Page) -> None:
    """2 and 3: an editor changes an entry and publishes it herself (not medical or policy);
    /api/chat gives the new text once the index is swapped, with no restart."""
    _, replies = ask(stack, EDITED_QUESTION)
    before = answered(replies)
    assert before is not None, replies
    assert OLD_TIP.lstrip("- ") in before
    assert NEW_TIP.lstrip("- ") not in before

    open_entry(writer, EDITED)
    body = field(writer, "body_zh")
    text = body.input_value()
    assert OLD_TIP in text
    body.fill(text.replace(OLD_TIP, NEW_TIP, 1))
    writer.get_by_role("button", name="Save and submit for review").click()
    expect(flash(writer)).to_contain_text("Saved as a pending change and submitted for review")
    # Pending: parents still get the published text.
    pending = answered(ask(stack, EDITED_QUESTION)[1])
    assert pending is not None
    assert NEW_TIP.lstrip("- ") not in pending
    workflow = writer.get_by_role("region", name="Workflow")
    expect(workflow).to_contain_text("in review")
    expect(workflow).not_to_contain_text("Four eyes")
    publish(writer, EDITED)

    def new_text_served() -> str | None:
        text = answered(ask(stack, EDITED_QUESTION)[1])
        return text if text and NEW_TIP.lstrip("- ") in text else None

    after = poll(new_text_served, SWAP_TIMEOUT_S, "the new text never reached /api/chat")
    assert OLD_TIP.lstrip("- ") not in after


def new_entry_from_the_review_queue(stack: LocalStack, writer: Page, checker: Page) -> None:
    """4: three questions nobody can answer, one group in the review queue, a new entry
    started from it, published by a second editor, the group linked; then the bot answers
    all three from the new entry."""
    assert GROUPING_THRESHOLD >= 0.95  # the wordings below are 0.99+ alike
    for question in UNANSWERED:
        _, replies = ask(stack, question)
        assert answered(replies) is None, replies  # "not sure" (or "these may answer")
    queue = ReviewQueue(stack.settings.review_queue_path)
    assert set(UNANSWERED) <= {row.question for row in queue.rows("open")}

    nav(writer, "Review queue")
    group = writer.locator("article.group").filter(has_text=UNANSWERED[0])
    expect(group).to_have_count(1)
    wordings = group.get_by_role("list", name="Wordings")
    for question in UNANSWERED:
        expect(wordings).to_contain_text(question)
    expect(group.locator(".meta")).to_contain_text("Asked 3 times")
    group.get_by_role("link", name="Start a new entry from it").click()

    expect(writer.get_by_role("heading", name="New entry")).to_be_visible()
    questions = field(writer, "questions_zh").input_value().splitlines()
    assert sorted(questions) == sorted(UNANSWERED)
    assert field(writer, "reviewed_on").input_value()  # filled in: today
    assert field(writer, "review_due").input_value()
    field(writer, "id").fill(NEW_ID)
    for name, value in NEW_ENTRY.items():
        field(writer, name).fill(value)
    writer.get_by_role("button", name="Preview and check").click()
    expect(writer.get_by_role("region", name="Preview")).to_contain_text(NEW_ANSWER_LINE)
    expect(writer.locator("div.error")).to_have_count(0)  # kb check finds nothing
    writer.get_by_role("button", name="Save and submit for review").click()
    expect(flash(writer)).to_contain_text(
        f"Created {NEW_ID} as a draft and submitted it for review"
    )
    # Four eyes: a medical entry; its writer cannot publish it.
    workflow = writer.get_by_role("region", name="Workflow")
    expect(workflow).to_contain_text("Four eyes: medical entry (topic 'safety')")
    expect(workflow).to_contain_text("someone else must publish it")
    expect(workflow.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
    # A draft is a file the bot never shows.
    _, replies = ask(stack, UNANSWERED[0])
    assert answered(replies) is None, replies

    open_entry(checker, NEW_ID, state="in_review")
    expect(field(checker, "body_zh")).to_have_value(NEW_ENTRY["body_zh"])
    publish(checker, NEW_ID)

    nav(writer, "Review queue")
    group = writer.locator("article.group").filter(has_text=UNANSWERED[0])
    link = group.locator("form.link")
    link.locator('[name="entry_id"]').fill(NEW_ID)
    # The wordings are the new entry's example questions already.
    link.get_by_label("Add them to the entry's example questions").uncheck()
    link.get_by_role("button", name="Link").click()
    expect(flash(writer)).to_contain_text(f"Resolved 3 questions with {NEW_ID}.")
    expect(writer.locator("article.group").filter(has_text=UNANSWERED[0])).to_have_count(0)
    writer.get_by_role("link", name="Resolved", exact=True).click()
    decided = writer.locator("article.group").filter(has_text=UNANSWERED[0])
    expect(decided.locator(".decision")).to_contain_text(f"Resolved with {NEW_ID}")

    for question in UNANSWERED:
        text = poll(
            partial(answered_from, stack, question, NEW_ID),
            SWAP_TIMEOUT_S,
            f"{question!r} was never answered from {NEW_ID}",
        )
        assert NEW_ANSWER_LINE in text
        assert NEW_ENTRY["source_document"] in text  # with its source


def import_a_registry_file(stack: LocalStack, registrar: Page) -> None:
    """5: a file with a bad row: the preview names the row and writes nothing; importing the
    good rows adds the good one, and the running bot finds it."""

    def registered(name: str) -> bool:
        """What the bot's registration check says (GET /api/facilities/check)."""
        query = urllib.parse.urlencode({"q": name})
        with urllib.request.urlopen(f"{stack.base_url}/api/facilities/check?{query}") as reply:
            return bool(json.loads(reply.read())["found"])

    content = registry_csv(
        [
            registry_row(GOOD_NUMBER, 机构名称=GOOD_NAME),
            registry_row(BAD_NUMBER, 经度="east"),  # row 3 of the file
        ]
    )
    registrar.get_by_role("link", name="Import a registry file").click()
    registrar.get_by_label("File").set_input_files(
        FilePayload(name="registry-e2e.csv", mimeType="text/csv", buffer=content)
    )
    registrar.get_by_role("button", name="Check the file").click()

    expect(registrar.get_by_role("heading", name="Preview: registry-e2e.csv")).to_be_visible()
    expect(registrar.locator("ul.problems")).to_have_text(
        "row 3, column longitude/经度: 'east' is not a number"
    )
    counts = registrar.locator("ul.counts")
    expect(counts).to_contain_text("2 data rows: 1 good, 1 with problems.")
    expect(counts).to_contain_text("would add 1 new institutions, change 0")
    assert not registered(GOOD_NAME)  # the preview wrote nothing

    good_rows = registrar.get_by_label("Import the good rows")
    expect(good_rows).to_be_checked()  # ticked because a row has a problem
    expect(registrar.get_by_label("The file is the whole registry")).not_to_be_checked()
    registrar.get_by_role("button", name="Import", exact=True).click()
    expect(registrar).to_have_url(re.compile(r"/admin/registry$"))
    expect(flash(registrar)).to_have_text(
        "Imported registry-e2e.csv: 1 added, 0 updated, 0 unchanged, 0 marked deregistered."
    )
    search = registrar.get_by_label("Name, number or address")
    search.fill(GOOD_NUMBER)
    registrar.get_by_role("button", name="Search").click()
    expect(registrar.locator("main")).to_contain_text("1 institutions.")
    expect(registrar.locator("main table")).to_contain_text(GOOD_NAME)
    search.fill(BAD_NUMBER)  # the bad row was left out
    registrar.get_by_role("button", name="Search").click()
    expect(registrar.locator("main")).to_contain_text("0 institutions.")
    poll(lambda: registered(GOOD_NAME), 30.0, "the bot never saw the imported institution")
