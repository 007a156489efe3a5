"""`tuoyu admin create-user NAME --role ROLE`, `set-password NAME`, `disable NAME`.

Passwords come from stdin: typed twice at a terminal (not echoed), or one line from a pipe
(`printf '%s\\n' "$PASSWORD" | tuoyu admin create-user ...`). Never from the command line,
where other users of the machine could read them in the process list.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from bot.console.accounts import ROLE_NAMES, AccountError, ConsoleAccounts
from bot.console.passwords import WeakPassword

CLI_ACTOR = "cli"


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Same password again: ") != first:
            raise WeakPassword("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def run_admin_command(
    command: str,
    accounts: ConsoleAccounts,
    username: str,
    *,
    role: str | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    """0 when done; 1 with the reason on stderr (a weak password, an unknown user)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    try:
        if command == "create-user":
            user = accounts.create_user(username, role or "", read_password(stdin), actor=CLI_ACTOR)
            print(f"Created {user.username} ({ROLE_NAMES[user.role]}).", file=out)
        elif command == "set-password":
            accounts.set_password(username, read_password(stdin), actor=CLI_ACTOR)
            print(f"New password set for {username}; their sessions have ended.", file=out)
        elif command == "disable":
            accounts.set_disabled(username, True, actor=CLI_ACTOR)
            print(f"Disabled {username}; their sessions have ended.", file=out)
        else:
            raise AccountError(f"unknown command {command!r}")
    except (AccountError, WeakPassword) as error:
        print(f"Refused: {error}.", file=sys.stderr)
        return 1
    return 0
