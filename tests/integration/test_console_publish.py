"""Publishing through the console changes what parents are answered, on the real three
processes, with no restart: the draft leaves the answer alone, the publish rebuilds the index
in the background (the bot answering throughout), and the action server swaps to it.

The stack is one of its own, over copies of the content folder and index: publishing writes
files, and the project's own must stay as they are.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from bot.local_stack import NORMAL_QUESTION, LocalStack
from knowledge_base.content import load_entries
from tests.console_forms import form_fields
from tests.integration.console_stack import console_stack

pytestmark = pytest.mark.integration

ENTRY = "feeding-solids-start"  # what NORMAL_QUESTION is answered with
MARKER = "（控制台发布测试：这句是刚发布的。）"
PASSWORDS = {"writer": "Amber+lantern-82", "checker": "Quiet-harbor-71"}
PUBLISH_TIMEOUT_S = 300.0
SWAP_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    accounts = {name: ("editor", password) for name, password in PASSWORDS.items()}
    with console_stack(tmp_path_factory.mktemp("console-publish"), accounts) as started:
        yield started


class Staff:
    """One member of staff in a browser: a cookie jar, forms with their CSRF tokens."""

    def __init__(self, stack: LocalStack, username: str) -> None:
        self.base = stack.base_url
        jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.get("/admin/login")
        home = self.post(
            "/admin/login", page, {"username": username, "password": PASSWORDS[username]}
        )
        assert f"Welcome, {username}" in home

    def get(self, path: str) -> str:
        with self._opener.open(self.base + path, timeout=120) as response:
            return str(response.read().decode("utf-8"))

    def post(self, path: str, page: str, fields: dict[str, str]) -> str:
        """Submits a form from `page` (redirects followed); the final page's text."""
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "the page has no form"
        body = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        with self._opener.open(self.base + path, data=body, timeout=120) as response:
            self.last_url = response.geturl()
            return str(response.read().decode("utf-8"))


def answer(stack: LocalStack, sender: str) -> str:
    status, body = stack.chat(sender, NORMAL_QUESTION)
    assert status == 200, body
    text = str(body["replies"][0]["text"])
    assert "来源" in text, text  # a sourced answer, never an error or "not sure"
    return text


def test_publishing_in_the_console_changes_the_answer_without_a_restart(
    stack: LocalStack,
) -> None:
    pids = stack.pids()
    assert MARKER not in answer(stack, "before")

    writer = Staff(stack, "writer")
    page = writer.get(f"/admin/kb/{ENTRY}")
    fields = form_fields(page)
    changed = {
        **{k: v for k, v in fields.items() if k not in ("csrf_token", "note")},
        "body_zh": fields["body_zh"].replace(
            "母乳喂养照常继续。", "母乳喂养照常继续。" + MARKER, 1
        ),
        "action": "submit",
    }
    assert MARKER in changed["body_zh"]
    saved = writer.post(f"/admin/kb/{ENTRY}", page, changed)
    assert "Saved as a pending change and submitted for review" in saved
    # Pending: parents still get the published text, and the file is untouched.
    assert MARKER not in answer(stack, "pending")
    content_dir = stack.settings.content_dir
    assert MARKER not in (content_dir / f"{ENTRY}.md").read_text("utf-8")

    checker = Staff(stack, "checker")
    page = checker.get(f"/admin/kb/{ENTRY}")
    status_page = checker.post(f"/admin/kb/{ENTRY}/publish", page, {})
    assert "/admin/kb/publishing/" in checker.last_url
    assert MARKER in (content_dir / f"{ENTRY}.md").read_text("utf-8")

    # The rebuild runs in the background: parents are answered all along.
    started = time.monotonic()
    while "Rebuilding the index" in status_page:
        assert time.monotonic() - started < PUBLISH_TIMEOUT_S, status_page
        answer(stack, "during")
        time.sleep(1.0)
        status_page = checker.get(urllib.parse.urlsplit(checker.last_url).path)
    assert "Done in" in status_page, status_page

    deadline = time.monotonic() + SWAP_TIMEOUT_S
    while MARKER not in answer(stack, "after"):
        assert time.monotonic() < deadline, "the action server never swapped to the new index"
        time.sleep(1.0)
    assert stack.pids() == pids  # no process was restarted
    assert all(process.running for process in stack.processes.values())
    assert load_entries(content_dir).problems == []  # the written file passes `kb check`
    tried = checker.get("/admin/kb/try?" + urllib.parse.urlencode({"q": NORMAL_QUESTION}))
    assert MARKER in tried
