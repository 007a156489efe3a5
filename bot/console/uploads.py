"""Registry files uploaded in the console, kept under var/ between preview and confirm.

Each upload gets a random id; its file and a small JSON note (who uploaded it, when, the
original name) live in the uploads folder and expire after UPLOAD_TTL_S. Only the person who
uploaded a file can import it.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TTL_S = 3600
SUFFIXES = (".csv", ".xlsx", ".xlsm")
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class UploadError(ValueError):
    """The upload cannot be used; the message says why."""


@dataclass(frozen=True)
class StagedUpload:
    upload_id: str
    path: Path
    original_name: str
    uploader: str
    uploaded_at: float


class UploadStore:
    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def new_path(self, original_name: str) -> tuple[str, Path]:
        suffix = Path(original_name).suffix.lower()
        if suffix not in SUFFIXES:
            raise UploadError("only .csv and .xlsx files can be imported")
        self._dir.mkdir(parents=True, exist_ok=True)
        self.expire()
        upload_id = secrets.token_urlsafe(18)
        return upload_id, self._dir / f"{upload_id}{suffix}"

    def keep(self, upload_id: str, path: Path, original_name: str, uploader: str) -> StagedUpload:
        staged = StagedUpload(upload_id, path, original_name[:200], uploader, time.time())
        note = {"file": path.name, "name": staged.original_name, "uploader": uploader,
                "at": staged.uploaded_at}  # fmt: skip
        (self._dir / f"{upload_id}.json").write_text(json.dumps(note), "utf-8")
        return staged

    def get(self, upload_id: str, uploader: str) -> StagedUpload:
        if not _ID.match(upload_id):
            raise UploadError("this upload does not exist")
        note_path = self._dir / f"{upload_id}.json"
        try:
            note = json.loads(note_path.read_text("utf-8"))
        except (OSError, ValueError):
            raise UploadError("this upload does not exist or has expired; upload again") from None
        path = self._dir / str(note["file"])
        if time.time() - float(note["at"]) > UPLOAD_TTL_S or not path.is_file():
            self.discard(upload_id)
            raise UploadError("this upload has expired; upload the file again")
        if note["uploader"] != uploader:
            raise UploadError("only the person who uploaded this file can import it")
        return StagedUpload(upload_id, path, str(note["name"]), uploader, float(note["at"]))

    def discard(self, upload_id: str) -> None:
        for path in self._dir.glob(f"{upload_id}*"):
            path.unlink(missing_ok=True)

    def expire(self) -> None:
        cutoff = time.time() - UPLOAD_TTL_S
        for path in self._dir.glob("*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
            except OSError:
                continue
