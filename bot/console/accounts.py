"""Console accounts, failed logins and the audit log, in one SQLite file (var/console.sqlite3).

Tables are created on first use. Every change to an account writes an audit row in the same
transaction, so the log cannot miss a change that happened.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.console.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)

ROLES = ("admin", "editor", "registry", "caseworker")
ROLE_NAMES = {
    "admin": "administrator",
    "editor": "editor",
    "registry": "registry manager",
    "caseworker": "case worker",
}
# Lockout: this many failures within the window lock the account (or the address) for LOCK.
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)
MAX_USERNAME = 64
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        session_epoch INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS login_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL,
        address TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS lockouts (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        until TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    )""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before_json TEXT,
        after_json TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures (at)",
)


class AccountError(ValueError):
    """An account change that cannot be made; the message says why."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    disabled: bool
    session_epoch: int
    created_at: str

    def may(self, roles: frozenset[str]) -> bool:
        """Admins may do everything; others what their role is named for."""
        return not self.disabled and (self.role == "admin" or self.role in roles)

    def public(self) -> dict[str, Any]:
        """What the audit log keeps of an account (never its password hash)."""
        return {"username": self.username, "role": self.role, "disabled": self.disabled}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked: bool = False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not name or len(name) > MAX_USERNAME or not set(name) <= _USERNAME_CHARS:
        raise AccountError(
            f"a username is 1 to {MAX_USERNAME} characters: letters a-z, digits, '.', '_' or '-'"
        )
    return name


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


class ConsoleAccounts:
    """Accounts, lockouts and the audit log. Cheap to construct; connects per call."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self._path, timeout=10)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    # -- accounts --------------------------------------------------------------------------

    def get(self, username: str) -> User | None:
        with self._db() as db:
            row = db.execute(
                "SELECT username, role, disabled, session_epoch, created_at FROM users "
                "WHERE username = ?",
                (username.strip().lower(),),
            ).fetchone()
        return User(row[0], row[1], bool(row[2]), row[3], row[4]) if row else None

    def users(self) -> list[User]:
        with self._db() as db:
            rows = db.execute(
                "SELECT username, role, disabled, session_epoch, created_at FROM users "
                "ORDER BY username"
            ).fetchall()
        return [User(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows]

    def create_user(self, username: str, role: str, password: str, *, actor: str) -> User:
        name = check_username(username)
        if role not in ROLES:
            raise AccountError(f"the role must be one of {', '.join(ROLES)}")
        check_strength(name, password)
        if self.get(name) is not None:
            raise AccountError(f"the user {name} already exists")
        with self._db() as db:
            db.execute(
                "INSERT INTO users (username, role, password_hash, created_at) VALUES (?,?,?,?)",
                (name, role, hash_password(password), _iso(_now())),
            )
        user = self.get(name)
        assert user is not None
        self.audit(actor, "user.create", name, None, user.public())
        return user

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        """Also signs the account out everywhere (its session epoch moves on)."""
        user = self._existing(username)
        check_strength(user.username, password)
        with self._db() as db:
            db.execute(
                "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 "
                "WHERE username = ?",
                (hash_password(password), user.username),
            )
        self.audit(actor, "user.set_password", user.username, None, {"password": "changed"})

    def set_disabled(self, username: str, disabled: bool, *, actor: str) -> User:
        user = self._existing(username)
        with self._db() as db:
            db.execute(
                "UPDATE users SET disabled = ?, session_epoch = session_epoch + 1 "
                "WHERE username = ?",
                (int(disabled), user.username),
            )
        after = self._existing(username)
        self.audit(
            actor,
            "user.disable" if disabled else "user.enable",
            user.username,
            user.public(),
            after.public(),
        )
        return after

    def _existing(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise AccountError(f"there is no user {username.strip().lower()!r}")
        return user

    # -- logging in ------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, address: str) -> LoginResult:
        """The user when the password is right and neither the account nor the address is
        locked out; a failure is counted against both (unknown usernames included)."""
        name = username.strip().lower()[:MAX_USERNAME]
        now = _now()
        if self._locked("address", address, now) or self._locked("account", name, now):
            spend_verification_time(password)
            return LoginResult(None, locked=True)
        with self._db() as db:
            row = db.execute(
                "SELECT password_hash, disabled FROM users WHERE username = ?", (name,)
            ).fetchone()
        if row is None:
            spend_verification_time(password)
            ok = False
        else:
            ok = verify_password(row[0], password) and not row[1]
        if ok:
            if needs_rehash(row[0]):
                with self._db() as db:
                    db.execute(
                        "UPDATE users SET password_hash = ? WHERE username = ?",
                        (hash_password(password), name),
                    )
            return LoginResult(self.get(name))
        return LoginResult(None, locked=self._count_failure(name, address, now))

    def _locked(self, kind: str, key: str, now: dt.datetime) -> bool:
        with self._db() as db:
            row = db.execute(
                "SELECT until FROM lockouts WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return row is not None and row[0] > _iso(now)

    def _count_failure(self, name: str, address: str, now: dt.datetime) -> bool:
        """Records a failure; True when it locked the account or the address."""
        since = _iso(now - FAILURE_WINDOW)
        until = _iso(now + LOCK)
        locked = False
        with self._db() as db:
            db.execute("DELETE FROM login_failures WHERE at < ?", (since,))
            db.execute(
                "INSERT INTO login_failures (username, address, at) VALUES (?,?,?)",
                (name, address, _iso(now)),
            )
            for kind, column, key, limit in (
                ("account", "username", name, ACCOUNT_FAILURES),
                ("address", "address", address, ADDRESS_FAILURES),
            ):
                (count,) = db.execute(
                    f"SELECT COUNT(*) FROM login_failures WHERE {column} = ? AND at >= ?",
                    (key, since),
                ).fetchone()
                if count >= limit:
                    db.execute(
                        "INSERT OR REPLACE INTO lockouts (kind, key, until) VALUES (?,?,?)",
                        (kind, key, until),
                    )
                    db.execute(f"DELETE FROM login_failures WHERE {column} = ?", (key,))
                    locked = True
        return locked

    # -- audit log -------------------------------------------------------------------------

    def audit(self, actor: str, action: str, target: str, before: object, after: object) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO audit_log (at, actor, action, target, before_json, after_json) "
                "VALUES (?,?,?,?,?,?)",
                (_iso(_now()), actor, action, target, _json(before), _json(after)),
            )

    def audit_page(self, page: int, per_page: int = 50) -> tuple[list[AuditEntry], int]:
        """Newest first; also the total number of entries."""
        with self._db() as db:
            (total,) = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()
            rows = db.execute(
                "SELECT id, at, actor, action, target, before_json, after_json FROM audit_log "
                "ORDER BY id DESC LIMIT ? OFFSET ?",
                (per_page, max(page - 1, 0) * per_page),
            ).fetchall()
        return [AuditEntry(*row) for row in rows], int(total)

    def audit_for(self, target: str, limit: int = 50) -> list[AuditEntry]:
        """The latest changes to one thing (an institution's history), newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, at, actor, action, target, before_json, after_json FROM audit_log "
                "WHERE target = ? ORDER BY id DESC LIMIT ?",
                (target, limit),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]
