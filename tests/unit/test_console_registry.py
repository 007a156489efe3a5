"""The registry in the staff console: list, upload with a preview, confirm, edit, escaping."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.console import uploads as uploads_module
from bot.console.accounts import ConsoleAccounts
from bot.gateway.keys import LIVE_REGISTRY
from knowledge_base.registry.columns import field_for_header, parse_row
from knowledge_base.registry.model import Institution
from knowledge_base.registry.store import FacilityRegistry
from tests.unit.console_support import (
    console_app,
    console_settings,
    csrf,
    post_form,
    registry_csv,
    sign_in,
)
from tests.unit.test_registry import ZH_HEADERS
from tests.unit.test_registry import row as registry_row

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def institution(number: str, **overrides: str) -> Institution:
    values = dict(zip(ZH_HEADERS, registry_row(number, **overrides), strict=True))
    parsed = parse_row(2, {str(field_for_header(h)): v for h, v in values.items()})
    assert isinstance(parsed, Institution), parsed
    return parsed


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(console_app(tmp_path))
    registry(result).import_institutions([institution("BJ001"), institution("BJ002")])
    await sign_in(result, "registry")
    return result


def registry(client: TestClient[Any, Any]) -> FacilityRegistry:
    store: FacilityRegistry = client.app[LIVE_REGISTRY].registry
    return store


def audit(tmp_path: Path) -> str:
    entries, _ = ConsoleAccounts(console_settings(tmp_path).console_db_path).audit_page(1)
    return "\n".join(f"{e.actor} {e.action} {e.target} {e.before} {e.after}" for e in entries)


async def upload(
    client: TestClient[Any, Any], content: bytes, filename: str = "registry.csv"
) -> aiohttp.ClientResponse:
    token = await csrf(client, "/admin/registry/upload")
    form = aiohttp.FormData()
    form.add_field("csrf_token", token)
    form.add_field("file", content, filename=filename, content_type="application/octet-stream")
    return await client.post("/admin/registry/upload", data=form, allow_redirects=False)


def upload_ids(var_dir: Path) -> set[str]:
    folder = console_settings(var_dir).console_uploads_dir
    return {p.name.split(".")[0] for p in folder.glob("*.json")}


async def test_list_search_and_deregistered_filter(client: TestClient[Any, Any]) -> None:
    registry(client).import_institutions([institution("BJ001")], replace=True)  # BJ002 gone
    page = await (await client.get("/admin/registry")).text()
    assert "BJ001" in page
    assert "BJ002" not in page
    gone = await (await client.get("/admin/registry?show=deregistered")).text()
    assert "BJ002" in gone
    assert "BJ001" not in gone
    found = await (await client.get("/admin/registry?show=all&q=bj002")).text()
    assert "BJ002" in found
    assert "BJ001" not in found
    empty = await (await client.get("/admin/registry?district=海淀区")).text()
    assert "0 institutions" in empty


async def test_preview_shows_row_errors_and_counts_and_writes_nothing(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    before = registry(client).all(include_deregistered=True)
    revision = registry(client).revision()
    content = registry_csv(
        [
            registry_row("BJ001"),  # unchanged
            registry_row("BJ002", 托位数="80"),  # changed
            registry_row("BJ003"),  # new
            registry_row("BJ004", 经度="east"),  # bad
        ],
        encoding="gb18030",  # as Chinese Excel saves "CSV"
    )
    response = await upload(client, content)
    assert response.status == 302
    preview = await client.get(response.headers["Location"])
    page = await preview.text()
    assert preview.status == 200
    assert "row 5, column longitude/经度: &#39;east&#39; is not a number" in page
    counts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "4 data rows: 3 good, 1 with problems" in counts
    assert "add 1 new institutions, change 1 and leave 1 unchanged" in counts
    assert "0 institutions missing from it would be marked deregistered" in counts
    assert registry(client).all(include_deregistered=True) == before
    assert registry(client).revision() == revision


async def test_confirm_imports_through_the_importer_and_is_audited(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    content = registry_csv([registry_row("BJ001"), registry_row("BJ003", 经度="east")])
    location = (await upload(client, content)).headers["Location"]
    (upload_id,) = upload_ids(tmp_path)
    # Without skip-invalid a bad row stops the whole import, as in the CLI.
    strict = await post_form(client, location, location, {"replace": "1"})
    assert strict.status == 302
    assert registry(client).get("BJ002") is not None
    assert not registry(client).get("BJ002").deregistered  # type: ignore[union-attr]
    response = await post_form(client, location, location, {"replace": "1", "skip_invalid": "1"})
    assert response.status == 302
    assert response.headers["Location"] == "/admin/registry"
    flashed = await (await client.get("/admin/registry")).text()
    assert "0 added, 0 updated, 1 unchanged, 1 marked deregistered" in flashed
    assert registry(client).get("BJ002").deregistered  # type: ignore[union-attr]
    assert registry(client).get("BJ003") is None
    log = audit(tmp_path)
    assert "registry1 registry.import registry.csv" in log
    assert '"skip_invalid": true' in log
    # The kept file is gone once imported; it cannot be imported twice.
    assert upload_id not in upload_ids(tmp_path)
    again = await post_form(client, "/admin/registry/upload", location, {})
    assert again.status == 404


async def test_an_upload_expires_and_belongs_to_its_uploader(
    client: TestClient[Any, Any],
    aiohttp_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    location = (await upload(client, registry_csv([registry_row("BJ009")]))).headers["Location"]
    other: TestClient[Any, Any] = await aiohttp_client(client.server)
    await sign_in(other, "admin")
    refused = await other.get(location)
    assert refused.status == 404
    assert "Only the person who uploaded" in await refused.text()
    monkeypatch.setattr(uploads_module, "UPLOAD_TTL_S", -1)
    expired = await client.get(location)
    assert expired.status == 404
    assert "expired" in await expired.text()
    assert registry(client).get("BJ009") is None


async def test_uploads_refuse_other_types_and_unreadable_files(
    client: TestClient[Any, Any],
) -> None:
    wrong_type = await upload(client, b"MZ\x90\x00", filename="registry.exe")
    assert wrong_type.status == 400
    assert "only .csv and .xlsx" in await wrong_type.text()
    no_header = await upload(client, "名称,地址\n甲,乙\n".encode())
    page = await (await client.get(no_header.headers["Location"])).text()
    assert "missing required columns" in page
    assert "Nothing was imported" in page


async def test_a_file_over_the_limit_is_refused(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.console import registry_pages

    monkeypatch.setattr(registry_pages, "MAX_UPLOAD_BYTES", 1024)
    response = await upload(client, registry_csv([registry_row(f"BJ{i:03}") for i in range(50)]))
    assert response.status == 413
    assert upload_ids(tmp_path) == set()


async def test_edit_is_validated_and_audited(client: TestClient[Any, Any], tmp_path: Path) -> None:
    page_path = "/admin/registry/institution/BJ001"
    page = await (await client.get(page_path)).text()
    assert 'value="示例托育园BJ001"' in page
    values = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    bad = await post_form(
        client, page_path, page_path, {**values, "capacity": "0", "vacancies": "9"}
    )
    assert bad.status == 400
    text = await bad.text()
    assert "capacity/托位数: 0 is outside 1 to 10000" in text
    assert registry(client).get("BJ001") == institution("BJ001")
    good = await post_form(
        client, page_path, page_path, {**values, "name": "新名字托育园", "vacancies": "3"}
    )
    assert good.status == 302
    saved = registry(client).get("BJ001")
    assert saved is not None
    assert saved.name == "新名字托育园"
    assert saved.vacancies == 3
    # The running bot's view follows (LiveRegistry polls the revision).
    live = client.app[LIVE_REGISTRY]
    live._checked_at = 0.0
    assert any(i.name == "新名字托育园" for i in live.current().institutions())
    log = audit(tmp_path)
    assert "registry1 registry.edit BJ001" in log
    assert '"name": "示例托育园BJ001"' in log
    assert '"name": "新名字托育园"' in log
    history = await (await client.get(page_path)).text()
    assert "registry.edit" in history


async def test_html_in_names_and_row_errors_is_inert_everywhere(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    # A name that bypassed the file checks (an older import, a direct database edit).
    hostile = dataclasses.replace(institution("BJ666"), name=PAYLOAD, address=PAYLOAD)
    registry(client).import_institutions([hostile])
    content = registry_csv([registry_row("BJ777", 经度=PAYLOAD)])
    location = (await upload(client, content, filename=f"{PAYLOAD}.csv")).headers["Location"]
    pages = [
        "/admin/registry?show=all",
        "/admin/registry?q=script",
        "/admin/registry/institution/BJ666",
        location,
    ]
    refused = await post_form(
        client,
        "/admin/registry/institution/BJ666",
        "/admin/registry/institution/BJ666",
        {"name": PAYLOAD, "address": "x"},
    )
    assert refused.status == 400
    assert "<script>alert" not in await refused.text()
    for path in pages:
        page = await (await client.get(path)).text()
        assert "<script>alert" not in page, path
        assert "<img src=x" not in page, path
        assert html.escape("<script>", quote=True) in page, path
    await sign_in(client, "admin")
    await post_form(
        client,
        "/admin/registry/institution/BJ666",
        "/admin/registry/institution/BJ666",
        {**_values_of(hostile), "vacancies": "1", "name": "Renamed"},
    )
    audit_page = await (await client.get("/admin/audit")).text()
    assert "&lt;script&gt;" in audit_page
    assert "<script>alert" not in audit_page


def _values_of(item: Institution) -> dict[str, str]:
    return {
        "name": item.name, "district": item.district, "subdistrict": item.subdistrict,
        "address": "望京西路1号", "longitude": str(item.longitude), "latitude": str(item.latitude),
        "provider_type": item.provider_type, "inclusive": "是" if item.inclusive else "否",
        "care_modes": "、".join(item.care_modes), "min_age_months": str(item.min_age_months),
        "max_age_months": str(item.max_age_months), "capacity": str(item.capacity),
        "vacancies": "", "monthly_fee_yuan": "", "phone": "", "filed_on": "2024-03-01",
    }  # fmt: skip
