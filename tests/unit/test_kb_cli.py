from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.cli import check


def test_check_prints_file_line_message_and_fails_on_problems(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(content_dir) == 0
    broken = content_dir / "broken.md"
    broken.write_text("---\nid: broken\nstatus: live\n---\n", encoding="utf-8")
    assert check(content_dir) == 1
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith(str(broken))]
    assert f"{broken}:3: 'status' must be one of draft, in_review, published" in lines
    assert "4 entries loaded (3 published, 1 drafts, 0 need review)" in out.err
