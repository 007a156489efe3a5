"""The registry in the console: find institutions, import a file after a preview, edit one.

Imports go through the same importer as `tuoyu registry import`; the running bot sees every
change within seconds (LiveRegistry polls the registry's revision), with no restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from bot.console.guard import (
    CSRF_FIELD,
    add_flash,
    checks_csrf_itself,
    csrf_matches,
    forbidden,
    render,
    requires,
    signed_in_user,
)
from bot.console.keys import ACCOUNTS, UPLOADS
from bot.console.uploads import MAX_UPLOAD_BYTES, UploadError
from bot.gateway.keys import LIVE_REGISTRY
from knowledge_base.registry.columns import COLUMNS, RowProblem, parse_row
from knowledge_base.registry.importer import import_registry_file, preview_registry_file
from knowledge_base.registry.model import DISTRICTS, Institution
from knowledge_base.registry.reader import RegistryFileError
from knowledge_base.registry.store import FacilityRegistry

PER_PAGE = 50
MAX_PROBLEMS_SHOWN = 200
SHOW = ("active", "deregistered", "all")


def _registry(request: web.Request) -> FacilityRegistry:
    return request.config_dict[LIVE_REGISTRY].registry


def _record(institution: Institution) -> dict[str, Any]:
    """An institution as JSON for the audit log."""
    data = dataclasses.asdict(institution)
    data["care_modes"] = list(institution.care_modes)
    data["filed_on"] = institution.filed_on.isoformat()
    return data


@requires("registry")
async def registry_list(request: web.Request) -> web.StreamResponse:
    query = request.query.get("q", "").strip()[:100]
    district = request.query.get("district", "")
    show = request.query.get("show", "active")
    show = show if show in SHOW else "active"
    try:
        page = max(1, min(int(request.query.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    everything = await asyncio.to_thread(_registry(request).all, include_deregistered=True)
    needle = query.lower()
    found = [
        i
        for i in everything
        if (show == "all" or i.deregistered == (show == "deregistered"))
        and (not district or i.district == district)
        and (
            not needle
            or needle in i.name.lower()
            or needle in i.registration_no.lower()
            or needle in i.address.lower()
        )
    ]
    pages = max(1, math.ceil(len(found) / PER_PAGE))
    shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    return await render(
        "registry_list.html",
        request,
        {
            "institutions": shown,
            "found": len(found),
            "q": query,
            "district": district,
            "districts": sorted(set(DISTRICTS.values())),
            "show": show,
            "page": page,
            "pages": pages,
        },
    )


@requires("registry")
async def upload_page(request: web.Request) -> web.StreamResponse:
    return await render("registry_upload.html", request, {"max_mb": MAX_UPLOAD_BYTES // 2**20})


async def _upload_error(
    request: web.Request, message: str, status: int = 400
) -> web.StreamResponse:
    return await render(
        "registry_upload.html",
        request,
        {"max_mb": MAX_UPLOAD_BYTES // 2**20, "error": message},
        status=status,
    )


@requires("registry")
@checks_csrf_itself
async def upload(request: web.Request) -> web.StreamResponse:
    """Multipart: the CSRF token comes first, then the file, streamed to disk with a limit."""
    user = signed_in_user(request)
    uploads = request.app[UPLOADS]
    reader = await request.multipart()
    first = await reader.next()
    if not isinstance(first, BodyPartReader) or first.name != CSRF_FIELD:
        return await forbidden(request, "The form did not come from this console. Try again.")
    if not csrf_matches(request, (await first.read(decode=True)).decode("utf-8", "replace")):
        return await forbidden(request, "The form had expired or did not come from this console.")
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "file" or not part.filename:
        return await _upload_error(request, "Choose a .csv or .xlsx file to upload.")
    original = Path(part.filename.replace("\\", "/")).name
    try:
        upload_id, path = uploads.new_path(original)
    except UploadError as error:
        return await _upload_error(request, f"{error}.")
    size = 0
    with path.open("wb") as handle:
        while chunk := await part.read_chunk(256 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                handle.close()
                uploads.discard(upload_id)
                return await _upload_error(
                    request,
                    f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.",
                    status=413,
                )
            handle.write(chunk)
    uploads.keep(upload_id, path, original, user.username)
    raise web.HTTPFound(f"/admin/registry/upload/{upload_id}")


@requires("registry")
async def preview(request: web.Request) -> web.StreamResponse:
    user = signed_in_user(request)
    try:
        staged = request.app[UPLOADS].get(request.match_info["upload_id"], user.username)
    except UploadError as error:
        return await _upload_error(request, f"{str(error).capitalize()}.", status=404)
    registry = _registry(request)
    try:
        parsed, plan = await asyncio.to_thread(
            preview_registry_file, staged.path, registry, replace=True
        )
    except RegistryFileError as error:
        request.app[UPLOADS].discard(staged.upload_id)
        return await _upload_error(
            request, f"{staged.original_name}: {error}. Nothing was imported."
        )
    return await render(
        "registry_preview.html",
        request,
        {
            "upload": staged,
            "rows": parsed.rows_read,
            "good": len(parsed.institutions),
            "bad_rows": len(parsed.rejected_rows),
            "problems": [str(p) for p in parsed.problems[:MAX_PROBLEMS_SHOWN]],
            "more_problems": max(0, len(parsed.problems) - MAX_PROBLEMS_SHOWN),
            "plan": plan,
        },
    )


@requires("registry")
async def confirm_import(request: web.Request) -> web.StreamResponse:
    user = signed_in_user(request)
    form = await request.post()
    uploads = request.app[UPLOADS]
    try:
        staged = uploads.get(request.match_info["upload_id"], user.username)
    except UploadError as error:
        return await _upload_error(request, f"{str(error).capitalize()}.", status=404)
    replace = form.get("replace") == "1"
    skip_invalid = form.get("skip_invalid") == "1"
    registry = _registry(request)
    try:
        report = await asyncio.to_thread(
            import_registry_file, staged.path, registry, replace=replace, skip_invalid=skip_invalid
        )
    except RegistryFileError as error:
        uploads.discard(staged.upload_id)
        return await _upload_error(
            request, f"{staged.original_name}: {error}. Nothing was imported."
        )
    if report.summary is None:
        await add_flash(
            request,
            f"Nothing was imported: {len(report.problems)} problems. Fix the rows, or tick "
            "'import the good rows'.",
        )
        raise web.HTTPFound(f"/admin/registry/upload/{staged.upload_id}")
    await asyncio.to_thread(
        request.app[ACCOUNTS].audit,
        user.username,
        "registry.import",
        staged.original_name,
        None,
        {
            "replace": replace,
            "skip_invalid": skip_invalid,
            "rows": report.parsed.rows_read,
            "rejected_rows": len(report.parsed.rejected_rows),
            "summary": dataclasses.asdict(report.summary),
        },
    )
    uploads.discard(staged.upload_id)
    await add_flash(request, f"Imported {staged.original_name}: {report.summary}.")
    raise web.HTTPFound("/admin/registry")


def _form_values(institution: Institution) -> dict[str, str]:
    values = {}
    for field, *_ in COLUMNS:
        value = getattr(institution, field)
        if field == "care_modes":
            values[field] = "、".join(value)
        elif field == "inclusive":
            values[field] = "是" if value else "否"
        elif value is None:
            values[field] = ""
        elif isinstance(value, float) and value.is_integer() and field == "monthly_fee_yuan":
            values[field] = str(int(value))
        elif isinstance(value, dt.date):
            values[field] = value.isoformat()
        else:
            values[field] = str(value)
    return values


async def _edit_form(
    request: web.Request,
    institution: Institution,
    values: dict[str, str],
    problems: list[RowProblem] | None = None,
    deregistered: bool | None = None,
    status: int = 200,
) -> web.StreamResponse:
    history = await asyncio.to_thread(request.app[ACCOUNTS].audit_for, institution.registration_no)
    return await render(
        "registry_edit.html",
        request,
        {
            "institution": institution,
            "values": values,
            "columns": [c for c in COLUMNS if c[0] != "registration_no"],
            "problems": [f"{p.column}: {p.problem}" for p in problems or []],
            "deregistered": institution.deregistered if deregistered is None else deregistered,
            "history": history,
        },
        status=status,
    )


async def _institution(request: web.Request) -> Institution:
    number = request.match_info["registration_no"]
    found = await asyncio.to_thread(_registry(request).get, number)
    if found is None:
        raise web.HTTPNotFound(text="No institution has this registration number.")
    return found


@requires("registry")
async def edit_page(request: web.Request) -> web.StreamResponse:
    institution = await _institution(request)
    return await _edit_form(request, institution, _form_values(institution))


@requires("registry")
async def edit(request: web.Request) -> web.StreamResponse:
    """Validated by the same row parser as a file (a row number of 2: one data row)."""
    institution = await _institution(request)
    form = await request.post()
    values = {field: str(form.get(field, ""))[:1000] for field, *_ in COLUMNS}
    values["registration_no"] = institution.registration_no
    deregistered = form.get("deregistered") == "1"
    parsed = parse_row(2, values)
    if not isinstance(parsed, Institution):
        return await _edit_form(request, institution, values, parsed, deregistered, status=400)
    updated = dataclasses.replace(parsed, deregistered=deregistered)
    if updated == institution:
        await add_flash(request, "Nothing changed.")
        raise web.HTTPFound(f"/admin/registry/institution/{institution.registration_no}")
    await asyncio.to_thread(_registry(request).import_institutions, [updated])
    await asyncio.to_thread(
        request.app[ACCOUNTS].audit,
        signed_in_user(request).username,
        "registry.edit",
        institution.registration_no,
        _record(institution),
        _record(updated),
    )
    await add_flash(request, f"Saved {updated.name}. The bot uses it within seconds.")
    raise web.HTTPFound(f"/admin/registry/institution/{institution.registration_no}")
