"""Users and API tokens in Herald's database (`users`, `api_tokens`)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from herald.store.tables import ApiTokenRow, UserRow
from herald.users import (
    Role,
    User,
    UserError,
    check_password_strength,
    check_username,
    hash_password,
    needs_rehash,
    new_api_token,
    token_digest,
    verify_password,
)

__all__ = ["ApiToken", "UserStore"]


class ApiToken(BaseModel):
    """What is shown of a token: never the token itself after it was issued."""

    id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


def _user(row: UserRow) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        roles=[Role(value) for value in row.roles.split(",") if value],
        disabled=row.disabled,
        sso=row.sso,
        created_at=row.created_at,
    )


def _roles(roles: list[Role]) -> str:
    if not roles:
        raise UserError("roles: give at least one of " + ", ".join(r.value for r in Role))
    return ",".join(sorted({Role(role).value for role in roles}))


class UserStore:
    """Adds, finds and authenticates users; issues and checks API tokens."""

    def __init__(self, engine: Engine) -> None:
        """Use `engine`, whose schema is at head (`herald.store.create_schema`)."""
        self._engine = engine

    def add(
        self,
        username: str,
        *,
        roles: list[Role],
        password: str | None,
        display_name: str = "",
        sso: bool = False,
    ) -> User:
        """Create a user; a password is required unless the user signs in through SSO."""
        name = check_username(username)
        if password is None and not sso:
            raise UserError("password: required for a user who does not sign in through SSO")
        if password is not None:
            check_password_strength(password, username=name)
        row = UserRow(
            username=name,
            display_name=display_name.strip()[:200],
            roles=_roles(roles),
            password_hash=hash_password(password) if password is not None else None,
            disabled=False,
            sso=sso,
            session_epoch=0,
            created_at=datetime.now(UTC),
        )
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(UserRow).values(**_columns(row)))
        except IntegrityError:
            raise UserError(f"username: {name!r} already exists") from None
        return _user(row)

    def get(self, username: str) -> User | None:
        """The user, or None."""
        row = self._row(username)
        return _user(row) if row else None

    def session_epoch(self, username: str) -> int | None:
        """The user's session epoch (sessions from an older epoch are void); None: no user."""
        row = self._row(username)
        return row.session_epoch if row and not row.disabled else None

    def all(self) -> list[User]:
        """Every user, by username."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(UserRow).order_by(UserRow.username)).all()
        return [_user(UserRow(**row._mapping)) for row in rows]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the user may sign in; else None.

        Unknown users take as long as known ones. A hash made with older parameters is
        replaced while the password is at hand.
        """
        row = self._row(username.strip().lower())
        stored = row.password_hash if row else None
        if not verify_password(stored, password) or row is None or row.disabled:
            return None
        if stored and needs_rehash(stored):
            self._set(row.username, password_hash=hash_password(password))
        return _user(row)

    def set_password(self, username: str, password: str) -> None:
        """Change the password; every existing session of the user ends."""
        check_password_strength(password, username=username)
        self._require(username)
        self._set(
            username,
            password_hash=hash_password(password),
            session_epoch=UserRow.session_epoch + 1,
        )

    def set_roles(self, username: str, roles: list[Role]) -> None:
        """Replace the user's roles (effective on the next request)."""
        self._require(username)
        self._set(username, roles=_roles(roles))

    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable or enable a user; disabling ends their sessions and stops their tokens."""
        self._require(username)
        self._set(username, disabled=disabled, session_epoch=UserRow.session_epoch + 1)

    def issue_token(self, username: str, name: str) -> tuple[ApiToken, str]:
        """A new API token for `username`: its record and the token, shown only now."""
        self._require(username)
        label = name.strip()[:100]
        if not label:
            raise UserError("name: say what the token is for (e.g. 'siem', 'ci')")
        token = new_api_token()
        now = datetime.now(UTC)
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(ApiTokenRow).values(
                    digest=token_digest(token), username=username, name=label, created_at=now
                )
            )
            token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return ApiToken(id=token_id, username=username, name=label, created_at=now), token

    def tokens(self, username: str | None = None) -> list[ApiToken]:
        """Tokens (all, or one user's), newest first."""
        query = select(ApiTokenRow).order_by(ApiTokenRow.id.desc())
        if username is not None:
            query = query.where(ApiTokenRow.username == username)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [ApiToken.model_validate(dict(row._mapping)) for row in rows]

    def revoke_token(self, token_id: int, *, username: str | None = None) -> bool:
        """Revoke a token (only `username`'s, when given); False if there was none to revoke."""
        query = (
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if username is not None:
            query = query.where(ApiTokenRow.username == username)
        with self._engine.begin() as conn:
            return conn.execute(query).rowcount == 1

    def user_for_token(self, token: str) -> User | None:
        """The enabled user holding this unrevoked token, noting when it was used."""
        digest = token_digest(token)
        with self._engine.begin() as conn:
            found = conn.execute(
                select(ApiTokenRow.id, ApiTokenRow.username).where(
                    ApiTokenRow.digest == digest, ApiTokenRow.revoked_at.is_(None)
                )
            ).first()
            if found is None:
                return None
            conn.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.id == found.id)
                .values(last_used_at=datetime.now(UTC))
            )
        user = self.get(found.username)
        return user if user and not user.disabled else None

    def _row(self, username: str) -> UserRow | None:
        with self._engine.connect() as conn:
            found = conn.execute(select(UserRow).where(UserRow.username == username)).first()
        return UserRow(**found._mapping) if found else None

    def _require(self, username: str) -> None:
        if self._row(username) is None:
            raise UserError(f"username: no user {username!r}")

    def _set(self, username: str, **values: object) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(UserRow).where(UserRow.username == username).values(**values))


def _columns(row: UserRow) -> dict[str, object]:
    return {column.name: getattr(row, column.name) for column in UserRow.__table__.columns}
