"""The three processes over copies of the content folder and index, with staff accounts.

Console tests publish entries; on the session stack that would write into the repository's
own content folder, so each console test module starts a stack of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.console.accounts import ConsoleAccounts
from bot.local_stack import LocalStack, StackFailed, local_stack
from bot.settings import Settings


@contextmanager
def console_stack(root: Path, accounts: dict[str, tuple[str, str]]) -> Iterator[LocalStack]:
    """accounts: username → (role, password), made as `tuoyu admin create-user` makes them."""
    project = Settings.from_env()
    shutil.copytree(project.content_dir, root / "content")
    if (project.index_dir / "manifest.json").is_file():
        # The project's index fits the copied content: the stack starts without a build.
        shutil.copytree(project.index_dir, root / "index")
    var = root / "var"
    overrides = {
        "TUOYU_CONTENT_DIR": str(root / "content"),
        "TUOYU_INDEX_DIR": str(root / "index"),
        "TUOYU_RATE_PER_ADDRESS": "1000000",
    }
    store = ConsoleAccounts(Settings.from_env({"TUOYU_VAR_DIR": str(var)}).console_db_path)
    for name, (role, password) in accounts.items():
        store.create_user(name, role, password, actor="test")
    try:
        with local_stack(var, overrides=overrides) as started:
            yield started
    except StackFailed as failure:
        pytest.fail(str(failure))
