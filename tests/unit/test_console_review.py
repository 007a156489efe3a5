"""The review queue page for editors: groups by meaning, link to an entry (through the
knowledge-base desk), a new entry from a group, dismiss and reopen, export regression cases;
every decision audited, every route guarded, hostile text inert."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.console.accounts import AuditEntry, ConsoleAccounts
from bot.console.keys import CONSOLE_APP, KB, KB_EMBEDDER
from knowledge_base.review_export import REGRESSIONS_FILE
from knowledge_base.review_queue import AnswerRating, ReviewQueue
from tests.unit.console_support import console_app, console_settings, post_form, sign_in
from tests.unit.fakes import CharacterGramEmbedder
from tests.unit.kb_support import FEVER, PLAY, TAX, kb_env, write_entries
from tests.unit.review_support import TopicEmbedder

PAYLOAD = "<script>alert(1)</script>宝宝<img src=x onerror=alert(2)>"


def review_env(tmp_path: Path) -> dict[str, str]:
    # The project folder is the test's own: an export writes tests/data/ under it.
    return {**kb_env(tmp_path), "TUOYU_PROJECT_DIR": str(tmp_path / "project")}


def review_app(tmp_path: Path, embedder: Any = TopicEmbedder) -> web.Application:
    write_entries(tmp_path / "content", PLAY, FEVER, TAX)
    app = console_app(tmp_path / "var", review_env(tmp_path))
    app[CONSOLE_APP][KB_EMBEDDER] = embedder
    return app


def queue(tmp_path: Path) -> ReviewQueue:
    return ReviewQueue(console_settings(tmp_path / "var").review_queue_path)


def audit(tmp_path: Path) -> list[AuditEntry]:
    entries, _ = ConsoleAccounts(console_settings(tmp_path / "var").console_db_path).audit_page(1)
    return entries


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(review_app(tmp_path))
    await sign_in(result, "editor")
    return result


def groups(page: str) -> list[str]:
    """The group headings of a review page, unescaped."""
    found = re.findall(r'<h2 id="g\d+-question">(.*?)</h2>', page, flags=re.S)
    return [html.unescape(heading) for heading in found]


def card(page: str, text: str) -> str:
    """The group card that shows this text (as its heading or among its wordings)."""
    found = [a for a in page.split("<article")[1:] if html.escape(text) in a]
    assert found, f"no group shows {text}"
    return found[0].split("</article>", 1)[0]


def form_rows(page: str, action: str, text: str) -> str:
    """The hidden row ids of a form in the card of the group that shows this text."""
    form = card(page, text).split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    match = re.search(r'name="rows" value="([\d,]+)"', form)
    assert match, f"no rows in the {action} form of {text}"
    return match.group(1)


async def open_page(client: TestClient[Any, Any], query: str = "") -> str:
    response = await client.get(f"/admin/review{query}")
    assert response.status == 200
    return await response.text()


async def test_similar_questions_are_one_group_with_counts_latest_and_masked_numbers(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record("宝宝几个月能吃盐", "zh", "play-outdoors", 0.91, asker="a", kind="middle_tier")
    q.record("宝宝几个月能吃盐", "zh", "play-outdoors", 0.91, asker="b", kind="middle_tier")
    q.record("什么时候可以给孩子加盐 电话13812345678", "zh", None, 0.8, asker="c")
    q.record("宝宝几个月能吃蜂蜜", "zh", None, 0.8, asker="d")
    q.rate(AnswerRating("answer-1", "e", "down", "孩子吃盐太多怎么办", "zh", "fever-care"))
    page = await open_page(client)
    assert "13812345678" not in page
    # The most asked wording names its group.
    assert sorted(groups(page)) == ["宝宝几个月能吃盐", "宝宝几个月能吃蜂蜜"]
    salt = card(page, "宝宝几个月能吃盐")
    assert "Asked <strong>4</strong> times" in salt
    assert "什么时候可以给孩子加盐 电话138****5678" in salt
    assert "孩子吃盐太多怎么办" in salt
    assert "offered entries 2" in salt
    assert "not sure 1" in salt
    assert "rated 👎 1" in salt
    # The bot's closest entry is preselected in the picker; 👎 names the entry answered.
    assert 'name="entry_id" list="kb-entries" required maxlength="100" value="play-outdoors"' in (
        salt
    )
    assert "Rated 👎 after the answer from:" in salt
    assert "fever-care" in salt
    latest = max(row.asked_at for row in q.rows("open") if "盐" in row.question)
    assert f"last {latest[:16].replace('T', ' ')} UTC" in salt
    # Sorted by how often asked: the salt group (4) before honey (1).
    assert groups(await open_page(client, "?sort=times")) == [
        "宝宝几个月能吃盐",
        "宝宝几个月能吃蜂蜜",
    ]


async def test_without_the_model_the_page_groups_identical_texts_and_says_so(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    # No test embedder: the real model folder does not exist under the test's var/.
    app = console_app(tmp_path / "var", review_env(tmp_path))
    client: TestClient[Any, Any] = await aiohttp_client(app)
    await sign_in(client, "editor")
    q = queue(tmp_path)
    q.record("托育补贴怎么申请", "zh", None, None, asker="a")
    q.record("托育补贴怎么申请", "zh", None, None, asker="b")
    q.record("育儿补贴在哪里领", "zh", None, None, asker="c")
    page = await open_page(client)
    assert "Grouped by identical text only" in page
    assert sorted(groups(page)) == ["托育补贴怎么申请", "育儿补贴在哪里领"]
    assert "Asked <strong>2</strong> times" in page


async def test_linking_adds_the_wordings_as_a_draft_change_and_resolves_the_group(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record("宝宝几个月能吃盐", "zh", "fever-care", 0.9, asker="a")
    q.record("什么时候可以给孩子加盐", "zh", "fever-care", 0.9, asker="b")
    page = await open_page(client)
    rows = form_rows(page, "/admin/review/link", "宝宝几个月能吃盐")
    response = await post_form(
        client,
        "/admin/review",
        "/admin/review/link",
        {
            "rows": rows,
            "entry_id": "play-outdoors",
            "language": "zh",
            "questions": "宝宝几个月能吃盐\n什么时候可以给孩子加盐\n",
            "add_examples": "1",
        },
    )
    assert response.status == 302
    assert response.headers["Location"] == "/admin/kb/play-outdoors"
    working = client.app[CONSOLE_APP][KB].store.working("play-outdoors")
    assert working is not None
    assert working.pending is not None
    assert {"宝宝几个月能吃盐", "什么时候可以给孩子加盐"} <= set(working.draft.questions_zh)
    resolved = q.rows("resolved")
    assert {r.resolved_entry_id for r in resolved} == {"play-outdoors"}
    assert {r.resolved_by for r in resolved} == {"editor1"}
    assert groups(await open_page(client)) == []
    done = await open_page(client, "?show=resolved")
    assert "Resolved with play-outdoors" in done
    assert "宝宝几个月能吃盐" in done
    [linked] = [e for e in audit(tmp_path) if e.action == "review.link"]
    assert linked.actor == "editor1"
    assert linked.target == "play-outdoors"
    assert "什么时候可以给孩子加盐" in (linked.after or "")
    assert any(e.action == "kb.examples" for e in audit(tmp_path))


async def test_linking_without_adding_examples_only_resolves(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    queue(tmp_path).record("宝宝发烧怎么护理", "zh", "fever-care", 0.93, asker="a")
    rows = form_rows(await open_page(client), "/admin/review/link", "宝宝发烧怎么护理")
    response = await post_form(
        client,
        "/admin/review",
        "/admin/review/link",
        {"rows": rows, "entry_id": "fever-care", "language": "zh", "questions": "x"},
    )
    assert response.headers["Location"] == "/admin/review"
    assert client.app[CONSOLE_APP][KB].store.working("fever-care").pending is None
    assert [r.resolved_entry_id for r in queue(tmp_path).rows("resolved")] == ["fever-care"]


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"entry_id": "no-such-entry"}, "there is no entry"),
        ({"language": "fr"}, "language must be zh or en"),
        ({"rows": ""}, "named no questions"),
        ({"rows": "1,x"}, "named no questions"),
        ({"questions": "  \n "}, "no example questions to add"),
    ],
)
async def test_a_link_that_cannot_be_made_changes_nothing_and_says_why(
    client: TestClient[Any, Any], tmp_path: Path, fields: dict[str, str], why: str
) -> None:
    queue(tmp_path).record("宝宝几个月能吃盐", "zh", None, None, asker="a")
    rows = form_rows(await open_page(client), "/admin/review/link", "宝宝几个月能吃盐")
    form = {
        "rows": rows,
        "entry_id": "fever-care",
        "language": "zh",
        "questions": "宝宝几个月能吃盐",
        "add_examples": "1",
        **fields,
    }
    response = await post_form(client, "/admin/review", "/admin/review/link", form)
    assert response.headers["Location"] == "/admin/review"
    assert why in html.unescape(await open_page(client))
    assert queue(tmp_path).rows("resolved") == []
    assert client.app[CONSOLE_APP][KB].store.working("fever-care").pending is None


async def test_a_new_entry_starts_from_the_groups_wordings(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    queue(tmp_path).record("宝宝几个月能吃盐", "zh", None, None, asker="a")
    queue(tmp_path).record("什么时候可以给孩子加盐", "zh", None, None, asker="b")
    page = await open_page(client)
    match = re.search(r'href="(/admin/kb/new\?[^"]+)"', page)
    assert match
    href = html.unescape(match.group(1))
    asked = parse_qs(urlsplit(href).query)["question"]
    assert sorted(asked) == ["什么时候可以给孩子加盐", "宝宝几个月能吃盐"]
    form = await (await client.get(href)).text()
    assert "宝宝几个月能吃盐" in form
    assert "什么时候可以给孩子加盐" in form


async def test_dismissing_a_group_needs_a_reason_and_is_audited(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record("今天天气怎么样", "zh", None, None, asker="a")
    rows = form_rows(await open_page(client), "/admin/review/dismiss", "今天天气怎么样")
    await post_form(client, "/admin/review", "/admin/review/dismiss", {"rows": rows})
    assert groups(await open_page(client)) == ["今天天气怎么样"]
    # Asked again after the page was shown: the same text goes with the decision.
    q.record("今天天气怎么样", "zh", None, None, asker="b")
    response = await post_form(
        client, "/admin/review", "/admin/review/dismiss", {"rows": rows, "reason": "off topic"}
    )
    assert response.status == 302
    assert groups(await open_page(client)) == []
    assert q.rows("open") == []
    assert {r.dismissed_reason for r in q.rows("dismissed")} == {"off topic"}
    dismissed = await open_page(client, "?show=dismissed")
    assert "Dismissed by editor1" in dismissed
    assert "off topic" in dismissed
    [entry] = [e for e in audit(tmp_path) if e.action == "review.dismiss"]
    assert entry.actor == "editor1"
    assert "off topic" in (entry.after or "")


async def test_a_decision_can_be_reopened_and_that_is_audited(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record("宝宝几个月能吃蜂蜜", "zh", None, None, asker="a")
    [row] = q.rows("open")
    q.dismiss([row.id], "duplicate", "editor1")
    page = await open_page(client, "?show=dismissed")
    rows = form_rows(page, "/admin/review/reopen", "宝宝几个月能吃蜂蜜")
    response = await post_form(
        client,
        "/admin/review?show=dismissed",
        "/admin/review/reopen",
        {"rows": rows, "show": "dismissed"},
    )
    assert response.headers["Location"] == "/admin/review?show=dismissed"
    assert [r.question for r in q.rows("open")] == ["宝宝几个月能吃蜂蜜"]
    assert any(e.action == "review.reopen" for e in audit(tmp_path))


async def test_export_writes_cases_that_find_their_entry_and_merges_without_duplicates(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    # Character n-grams: a question worded as an entry's own question finds that entry.
    client: TestClient[Any, Any] = await aiohttp_client(review_app(tmp_path, CharacterGramEmbedder))
    await sign_in(client, "editor")
    q = queue(tmp_path)
    q.record("宝宝发烧怎么护理", "zh", "fever-care", 0.9, asker="a")
    q.record("qqq zzz www", "en", None, 0.1, asker="b")
    for row in q.rows("open"):
        q.resolve([row.id], "fever-care", "editor1")
    response = await post_form(client, "/admin/review?show=resolved", "/admin/review/export", {})
    assert response.headers["Location"] == "/admin/review?show=resolved"
    path = tmp_path / "project" / REGRESSIONS_FILE
    text = path.read_text("utf-8")
    assert text.startswith("# ")
    cases = yaml.safe_load(text)["cases"]
    assert [(c["question"], c["language"], c["entry"]) for c in cases] == [
        ("宝宝发烧怎么护理", "zh", "fever-care")
    ]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cases[0]["resolved"])
    flashed = html.unescape(await open_page(client, "?show=resolved"))
    assert "1 new" in flashed
    assert "qqq zzz www → fever-care" in flashed
    await post_form(client, "/admin/review?show=resolved", "/admin/review/export", {})
    assert yaml.safe_load(path.read_text("utf-8"))["cases"] == cases
    exports = [e for e in audit(tmp_path) if e.action == "review.export"]
    assert len(exports) == 2
    assert '"added": 1' in (exports[-1].after or "")


async def test_a_hostile_question_is_inert_everywhere_it_is_shown(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record(PAYLOAD, "zh", None, None, asker="a")
    q.rate(AnswerRating("answer-x", "b", "down", PAYLOAD + "盐", "zh", "fever-care"))
    pages = [await open_page(client)]
    for row in q.rows("open"):
        q.dismiss([row.id], PAYLOAD, "editor1")
    pages.append(await open_page(client, "?show=dismissed"))
    rows = form_rows(pages[-1], "/admin/review/reopen", PAYLOAD)
    await post_form(client, "/admin/review?show=dismissed", "/admin/review/reopen", {"rows": rows})
    rows = form_rows(await open_page(client), "/admin/review/dismiss", PAYLOAD)
    await post_form(
        client, "/admin/review", "/admin/review/dismiss", {"rows": rows, "reason": PAYLOAD}
    )
    await sign_in(client, "admin")
    pages.append(await (await client.get("/admin/audit")).text())
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;" in page
    assert "review.dismiss" in pages[-1]


@pytest.mark.parametrize("role", ["registry", "caseworker"])
async def test_other_roles_may_not_read_or_decide(
    aiohttp_client: Any, tmp_path: Path, role: str
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(review_app(tmp_path))
    queue(tmp_path).record("宝宝几个月能吃盐", "zh", None, None, asker="a")
    await sign_in(client, role)
    assert (await client.get("/admin/review")).status == 403
    for action in ("link", "dismiss", "reopen", "export"):
        response = await post_form(
            client, "/admin/", f"/admin/review/{action}", {"rows": "1", "reason": "x"}
        )
        assert response.status == 403, action
    assert queue(tmp_path).rows("open") != []


async def test_every_decision_needs_the_forms_csrf_token(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    queue(tmp_path).record("宝宝几个月能吃盐", "zh", None, None, asker="a")
    for action in ("link", "dismiss", "reopen", "export"):
        response = await client.post(
            f"/admin/review/{action}",
            data={"rows": "1", "reason": "x", "entry_id": "fever-care", "language": "zh"},
            allow_redirects=False,
        )
        assert response.status == 403, action
    assert queue(tmp_path).rows("open") != []


async def test_a_group_in_two_languages_links_each_language_on_its_own(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record("宝宝几个月能吃盐", "zh", None, None, asker="a")
    q.record("when can my baby have salt", "en", None, None, asker="b")
    page = await open_page(client)
    [salt] = groups(page)
    shown = card(page, salt)
    assert "Link the Chinese questions to an entry" in shown
    assert "Link the English questions to an entry" in shown
    english = shown.split('name="language" value="en"', 1)[0].rsplit('name="rows" value="', 1)[1]
    response = await post_form(
        client,
        "/admin/review",
        "/admin/review/link",
        {
            "rows": english.split('"', 1)[0],
            "entry_id": "play-outdoors",
            "language": "en",
            "questions": "when can my baby have salt",
            "add_examples": "1",
        },
    )
    assert response.status == 302
    working = client.app[CONSOLE_APP][KB].store.working("play-outdoors")
    assert "when can my baby have salt" in working.draft.questions_en
    assert [r.question for r in q.rows("open")] == ["宝宝几个月能吃盐"]
