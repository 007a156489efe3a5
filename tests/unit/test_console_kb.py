"""Knowledge-base editing in the console: list and filters, the form with kb check's messages
and a safe preview, draft -> in review -> published with four eyes, publishing that rebuilds
the index in the background, history with restore, try a question, the review-queue hooks,
and HTML that stays inert on every page."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.accounts import ConsoleAccounts
from bot.console.keys import CONSOLE_APP, KB_EMBEDDER
from knowledge_base.content import load_entries
from knowledge_base.entry_draft import EntryDraft
from tests.console_forms import form_fields
from tests.unit.console_support import console_settings, post_form, sign_in
from tests.unit.fakes import CharacterGramEmbedder
from tests.unit.kb_support import FEVER, PAYLOAD, PLAY, TAX, kb_console_app, kb_env

NEW_BODY = "每天户外活动两小时，这是修改后的正文。"


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(kb_console_app(tmp_path))
    assert (await sign_in(result, "editor")).status == 302
    return result


def content(tmp_path: Path) -> Path:
    return tmp_path / "content"


def audit_actions(tmp_path: Path) -> list[str]:
    accounts = ConsoleAccounts(console_settings(tmp_path / "var", kb_env(tmp_path)).console_db_path)
    entries, _ = accounts.audit_page(1, 200)
    return [e.action for e in entries]


def form_of(page: str) -> dict[str, str]:
    """The entry form as a browser would send it back (without the page's CSRF token and
    the other forms' fields)."""
    fields = form_fields(page)
    for other in ("csrf_token", "note", "revision"):
        fields.pop(other, None)
    return fields


async def save_entry(
    client: TestClient[Any, Any], entry_id: str, action: str = "save", **changes: str
) -> Any:
    page = await (await client.get(f"/admin/kb/{entry_id}")).text()
    return await post_form(
        client,
        f"/admin/kb/{entry_id}",
        f"/admin/kb/{entry_id}",
        {**form_of(page), **changes, "action": action},
    )


async def finish_publishing(client: TestClient[Any, Any], location: str) -> str:
    """Follows the status page until the rebuild is done; returns the last page."""
    assert location.startswith("/admin/kb/publishing/")
    for _ in range(200):
        page = await (await client.get(location)).text()
        if "Rebuilding the index" not in page:
            return page
        assert 'http-equiv="refresh"' in page
        await asyncio.sleep(0.05)
    raise AssertionError("the rebuild never finished")


async def try_page(client: TestClient[Any, Any], question: str) -> str:
    response = await client.get("/admin/kb/try", params={"q": question})
    assert response.status == 200
    return await response.text()


# -- the list ------------------------------------------------------------------------------


async def test_the_list_searches_and_filters(client: TestClient[Any, Any], tmp_path: Path) -> None:
    everything = await (await client.get("/admin/kb")).text()
    for entry in (PLAY, FEVER, TAX):
        assert f'href="/admin/kb/{entry.id}"' in everything
    by_topic = await (await client.get("/admin/kb", params={"topic": "fever"})).text()
    assert f'href="/admin/kb/{FEVER.id}"' in by_topic
    assert f'href="/admin/kb/{PLAY.id}"' not in by_topic
    by_words = await (await client.get("/admin/kb", params={"q": "个税"})).text()
    assert "1 of 3 entries" in by_words
    overdue = await (await client.get("/admin/kb", params={"overdue": "1"})).text()
    assert "0 of 3 entries" in overdue  # every test entry is due in 2027
    await save_entry(client, TAX.id, summary_zh="待发布的修改。")
    pending = await (await client.get("/admin/kb", params={"state": "pending"})).text()
    assert f'href="/admin/kb/{TAX.id}"' in pending
    assert "change draft (editor1)" in pending


# -- writing and the workflow --------------------------------------------------------------


async def test_a_new_entry_shows_kb_check_messages_until_it_is_right(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    draft = FEVER.form_values()
    fields = {
        **draft,
        "id": "fever-new",
        "source_issuer": "",
        "body_en": "Rest well.",
        "body_zh": "高烧不退请拨打120。",
    }
    refused = await post_form(client, "/admin/kb/new", "/admin/kb/new", fields)
    assert refused.status == 400
    page = await refused.text()
    assert "Not saved; fix these" in page
    assert "&#39;source.issuer&#39; is missing" in page
    assert "the English body never mentions 120, which the Chinese body names" in page
    assert not (content(tmp_path) / "fever-new.md").exists()
    fields.update(
        source_issuer="国家卫生健康委员会", body_en="If a high fever will not come down, call 120."
    )
    created = await post_form(client, "/admin/kb/new", "/admin/kb/new", fields)
    assert created.status == 302
    assert created.headers["Location"] == "/admin/kb/fever-new"
    text = (content(tmp_path) / "fever-new.md").read_text(encoding="utf-8")
    assert "status: draft" in text
    assert "fever-new" not in {e.id for e in load_entries(content(tmp_path)).published()}
    assert "kb.create" in audit_actions(tmp_path)


async def test_preview_renders_markdown_and_never_html(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    page = await (await client.get(f"/admin/kb/{PLAY.id}")).text()
    preview = await post_form(
        client,
        f"/admin/kb/{PLAY.id}",
        f"/admin/kb/{PLAY.id}",
        {
            **form_of(page),
            "action": "preview",
            "body_zh": "**加粗**\n\n- 一\n- 二\n\n<b>raw</b> [link](javascript:alert(1))",
        },
    )
    assert preview.status == 200
    html = await preview.text()
    assert "<strong>加粗</strong>" in html
    assert "<li>一</li>" in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html
    assert 'href="javascript:' not in html
    file = (content(tmp_path) / f"{PLAY.id}.md").read_text(encoding="utf-8")
    assert "<b>raw</b>" not in file  # a preview saves nothing


async def test_a_pending_change_leaves_parents_answer_until_published(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    assert "正文第一段" in await try_page(client, PLAY.title_zh)
    saved = await save_entry(client, PLAY.id, action="submit", body_zh=NEW_BODY)
    assert saved.status == 302
    assert NEW_BODY not in await try_page(client, PLAY.title_zh)
    published_file = (content(tmp_path) / f"{PLAY.id}.md").read_text(encoding="utf-8")
    assert NEW_BODY not in published_file
    entry_page = await (await client.get(f"/admin/kb/{PLAY.id}")).text()
    assert "What this change alters in the published text" in entry_page
    assert f'<span class="diff-add">+ {NEW_BODY}</span>' in entry_page
    # Not a medical or policy entry: its editor may publish it.
    published = await post_form(client, f"/admin/kb/{PLAY.id}", f"/admin/kb/{PLAY.id}/publish", {})
    assert published.status == 302
    done = await finish_publishing(client, published.headers["Location"])
    assert "Done in" in done
    assert "embedded anew" in done
    assert NEW_BODY in await try_page(client, PLAY.title_zh)
    assert NEW_BODY in (content(tmp_path) / f"{PLAY.id}.md").read_text(encoding="utf-8")
    assert "kb.publish" in audit_actions(tmp_path)


async def test_a_second_person_publishes_a_medical_entry(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    await save_entry(client, FEVER.id, action="submit", summary_zh="新的发烧护理摘要。")
    page = await (await client.get(f"/admin/kb/{FEVER.id}")).text()
    assert "medical entry (topic &#39;health&#39;)" in page
    assert f'action="/admin/kb/{FEVER.id}/publish"' not in page
    assert "someone else must publish it" in page
    forced = await post_form(client, f"/admin/kb/{FEVER.id}", f"/admin/kb/{FEVER.id}/publish", {})
    assert forced.headers["Location"] == f"/admin/kb/{FEVER.id}"
    refused = await (await client.get(f"/admin/kb/{FEVER.id}")).text()
    assert "someone other than editor1, who last changed it, must publish it" in refused
    assert "新的发烧护理摘要" not in (content(tmp_path) / f"{FEVER.id}.md").read_text("utf-8")

    client.session.cookie_jar.clear()
    await sign_in(client, "admin")
    other = await (await client.get(f"/admin/kb/{FEVER.id}")).text()
    assert f'action="/admin/kb/{FEVER.id}/publish"' in other
    published = await post_form(
        client, f"/admin/kb/{FEVER.id}", f"/admin/kb/{FEVER.id}/publish", {}
    )
    await finish_publishing(client, published.headers["Location"])
    assert "新的发烧护理摘要" in (content(tmp_path) / f"{FEVER.id}.md").read_text("utf-8")


async def test_return_to_draft_and_discard(client: TestClient[Any, Any], tmp_path: Path) -> None:
    before = (content(tmp_path) / f"{TAX.id}.md").read_text("utf-8")
    await save_entry(client, TAX.id, action="submit", summary_zh="有误的摘要。")
    await post_form(
        client, f"/admin/kb/{TAX.id}", f"/admin/kb/{TAX.id}/return", {"note": "数字要核对"}
    )
    page = await (await client.get(f"/admin/kb/{TAX.id}")).text()
    assert "Status: <strong>draft</strong>" in page
    history = await (await client.get(f"/admin/kb/{TAX.id}/history")).text()
    assert "数字要核对" in history
    await post_form(client, f"/admin/kb/{TAX.id}", f"/admin/kb/{TAX.id}/discard", {})
    assert (content(tmp_path) / f"{TAX.id}.md").read_text("utf-8") == before
    after = await (await client.get(f"/admin/kb/{TAX.id}")).text()
    assert "Status: <strong>published</strong>" in after
    assert {"kb.returned", "kb.discard"} <= set(audit_actions(tmp_path))


# -- history -------------------------------------------------------------------------------


async def test_history_shows_a_diff_and_restores_an_old_text_as_a_draft(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    await save_entry(client, PLAY.id, action="submit", body_zh=NEW_BODY)
    published = await post_form(client, f"/admin/kb/{PLAY.id}", f"/admin/kb/{PLAY.id}/publish", {})
    await finish_publishing(client, published.headers["Location"])
    history = await (await client.get(f"/admin/kb/{PLAY.id}/history")).text()
    revisions = [int(n) for n in re.findall(r"history\?revision=(\d+)\">", history)]
    assert len(revisions) == 3  # the file as found, the saved change, the publish
    assert (
        f'<span class="diff-add">+ {NEW_BODY}</span>'
        in await (
            await client.get(f"/admin/kb/{PLAY.id}/history", params={"revision": revisions[1]})
        ).text()
    )
    oldest = await (
        await client.get(f"/admin/kb/{PLAY.id}/history", params={"revision": revisions[-1]})
    ).text()
    restored = await post_form(
        client,
        f"/admin/kb/{PLAY.id}/history?revision={revisions[-1]}",
        f"/admin/kb/{PLAY.id}/restore",
        {
            "revision": str(revisions[-1]),
            "base_revision": re.findall(r'name="base_revision" value="(\d+)"', oldest)[0],
        },
    )
    assert restored.headers["Location"] == f"/admin/kb/{PLAY.id}"
    page = await (await client.get(f"/admin/kb/{PLAY.id}")).text()
    assert "正文第一段" in form_of(page)["body_zh"]
    assert NEW_BODY in (content(tmp_path) / f"{PLAY.id}.md").read_text("utf-8")  # still live


# -- try a question ------------------------------------------------------------------------


async def test_try_a_question_shows_scores_tier_triage_and_language(
    client: TestClient[Any, Any],
) -> None:
    page = await try_page(client, "How do I care for a baby with a fever")
    assert "Detected: <strong>en</strong>" in page
    assert "Tier: <strong>answer</strong>" in page
    first_row = page.split("<tbody>")[1].split("</tr>")[0]
    assert f'href="/admin/kb/{FEVER.id}"' in first_row
    assert re.search(r"<td>1\.0000</td>", first_row)  # the question itself: similarity 1
    assert "Outcome: <strong>normal</strong>" in page
    emergency = await try_page(client, "宝宝不会呼吸了，嘴唇发紫")
    assert "Outcome: <strong>emergency</strong>" in emergency
    assert "call 120" in emergency
    unclear = await try_page(client, "👍")
    assert "The text does not tell" in unclear


async def test_try_says_so_when_the_model_is_missing(aiohttp_client: Any, tmp_path: Path) -> None:
    app = kb_console_app(tmp_path)

    def no_model() -> CharacterGramEmbedder:
        raise FileNotFoundError("No sentence-transformers model; run `tuoyu setup`")

    app[CONSOLE_APP][KB_EMBEDDER] = no_model
    client: TestClient[Any, Any] = await aiohttp_client(app)
    await sign_in(client, "editor")
    response = await client.get("/admin/kb/try", params={"q": PLAY.title_zh})
    assert response.status == 503
    assert "could not be loaded here: No sentence-transformers model" in await response.text()


# -- hooks for the review queue ------------------------------------------------------------


async def test_questions_from_the_review_queue_become_example_questions(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    before = (content(tmp_path) / f"{FEVER.id}.md").read_text("utf-8")
    response = await post_form(
        client,
        "/admin/kb",
        f"/admin/kb/{FEVER.id}/examples",
        {"questions": "宝宝烧到39度怎么办\n\n发烧要捂汗吗\n", "language": "zh"},
    )
    assert response.status == 302
    assert response.headers["Location"] == f"/admin/kb/{FEVER.id}"
    page = await (await client.get(f"/admin/kb/{FEVER.id}")).text()
    assert form_of(page)["questions_zh"].splitlines() == [
        FEVER.title_zh,
        "宝宝烧到39度怎么办",
        "发烧要捂汗吗",
    ]
    assert "Status: <strong>draft</strong>" in page
    assert (content(tmp_path) / f"{FEVER.id}.md").read_text("utf-8") == before
    assert "kb.examples" in audit_actions(tmp_path)
    wrong = await post_form(
        client,
        "/admin/kb",
        f"/admin/kb/{FEVER.id}/examples",
        {"questions": "x", "language": "fr"},
    )
    assert wrong.status == 302
    assert (
        "the language must be zh or en" in await (await client.get(f"/admin/kb/{FEVER.id}")).text()
    )
    forged = await client.post(
        f"/admin/kb/{FEVER.id}/examples", data={"questions": "x", "language": "zh"}
    )
    assert forged.status == 403


async def test_the_create_form_is_prefilled_with_parents_questions(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get(
        "/admin/kb/new",
        params=[("question", "托育补贴怎么申请"), ("question", "How do I apply for the subsidy?")],
    )
    fields = form_of(await response.text())
    assert fields["questions_zh"] == "托育补贴怎么申请"
    assert fields["questions_en"] == "How do I apply for the subsidy?"
    assert fields["id"] == ""


# -- safety --------------------------------------------------------------------------------


async def test_html_in_an_entry_is_inert_on_every_page(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    saved = await save_entry(
        client,
        PLAY.id,
        action="submit",
        title_zh=PAYLOAD,
        title_en=PAYLOAD,
        questions_en=PAYLOAD,
        source_document=PAYLOAD,
        body_en=f"Hello {PAYLOAD}",
    )
    assert saved.status == 302
    published = await post_form(client, f"/admin/kb/{PLAY.id}", f"/admin/kb/{PLAY.id}/publish", {})
    pages = [await finish_publishing(client, published.headers["Location"])]
    client.session.cookie_jar.clear()
    await sign_in(client, "admin")
    for path in (
        "/admin/kb",
        f"/admin/kb/{PLAY.id}",
        f"/admin/kb/{PLAY.id}/history",
        "/admin/audit",
        f"/admin/kb/try?q={PLAY.title_en}",
    ):
        response = await client.get(path)
        assert response.status == 200, path
        pages.append(await response.text())
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    assert any("&lt;script&gt;alert(&#34;kb&#34;)&lt;/script&gt;" in page for page in pages[1:])
    # Stored exactly as typed: the file is data, made safe where it is shown.
    assert (
        EntryDraft.from_text((content(tmp_path) / f"{PLAY.id}.md").read_text("utf-8")).title_zh
        == PAYLOAD
    )


async def test_other_roles_cannot_reach_the_knowledge_base(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(kb_console_app(tmp_path))
    await sign_in(client, "registry")
    assert (await client.get("/admin/kb")).status == 403
    home = await (await client.get("/admin/")).text()
    assert 'href="/admin/kb"' not in home
