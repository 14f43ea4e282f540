"""User administration (`/api/users`): administrators only."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from herald.api.auth import Admin
from herald.store.users import UserStore
from herald.users import Role, User, UserError

__all__ = ["router"]

router = APIRouter(tags=["users"])


class NewUserInput(BaseModel):
    """A user to add; `password` may be left out only for single sign-on users."""

    username: str = Field(min_length=2, max_length=64)
    roles: list[Role] = Field(min_length=1)
    password: str | None = Field(default=None, max_length=1024)
    display_name: str = Field(default="", max_length=200)
    sso: bool = False


class ChangeUserInput(BaseModel):
    """What to change about a user; fields left out stay as they are."""

    roles: list[Role] | None = Field(default=None, min_length=1)
    disabled: bool | None = None
    password: str | None = Field(default=None, max_length=1024)


def _refused(err: UserError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(err))


@router.get("/api/users", response_model=list[User])
def list_users(request: Request, principal: Admin) -> list[User]:
    """Every user with roles and state."""
    del principal
    users: UserStore = request.app.state.users
    return users.all()


@router.post("/api/users", response_model=User, status_code=status.HTTP_201_CREATED)
def add_user(body: NewUserInput, request: Request, principal: Admin) -> User:
    """Add a user."""
    del principal
    users: UserStore = request.app.state.users
    try:
        return users.add(
            body.username,
            roles=body.roles,
            password=body.password,
            display_name=body.display_name,
            sso=body.sso,
        )
    except UserError as err:
        raise _refused(err) from None


@router.patch("/api/users/{username}", response_model=User)
def change_user(username: str, body: ChangeUserInput, request: Request, principal: Admin) -> User:
    """Change roles, disable or enable, or set a new password (ends the user's sessions)."""
    users: UserStore = request.app.state.users
    if users.get(username) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no user {username!r}")
    if body.disabled and username == principal.user.username:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="you cannot disable yourself")
    loses_admin = body.disabled or (body.roles is not None and Role.ADMIN not in body.roles)
    others = [u for u in users.all() if u.username != username and not u.disabled]
    if loses_admin and not any(Role.ADMIN in u.roles for u in others):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="this would leave no active administrator; make someone else admin first",
        )
    try:
        if body.roles is not None:
            users.set_roles(username, body.roles)
        if body.disabled is not None:
            users.set_disabled(username, body.disabled)
        if body.password is not None:
            users.set_password(username, body.password)
    except UserError as err:
        raise _refused(err) from None
    changed = users.get(username)
    assert changed is not None  # checked above; users are never deleted
    return changed
