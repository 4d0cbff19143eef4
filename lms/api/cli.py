"""``flask lms api tokens ...``: the integration API's bearer tokens. Each command commits once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

api_cli = AppGroup("api", help="The integration API (/api/v1).")
tokens_cli = AppGroup("tokens", help="Bearer tokens of the integration API.")
api_cli.add_command(tokens_cli)


@tokens_cli.command("create")
@click.argument("name")
def tokens_create(name: str) -> None:
    """Create a token and print it (shown only this once: only its hash is kept)."""
    from lms.api.services import ApiError, create_token
    from lms.db import session

    try:
        _, value = create_token(name)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    session.commit()
    click.echo(value)


@tokens_cli.command("list")
def tokens_list() -> None:
    """One line per token: its prefix, state, last use and name."""
    from lms.api.services import list_tokens

    for token in list_tokens():
        state = "revoked" if token.revoked_at else "active"
        used = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never used"
        click.echo(f"{token.prefix}  {state:7}  {used:16}  {token.name}")


@tokens_cli.command("revoke")
@click.argument("prefix")
def tokens_revoke(prefix: str) -> None:
    """Revoke a token by its prefix (as `tokens list` shows it) or its whole value: it stops working at once."""
    from lms.api.services import ApiError, revoke_token
    from lms.db import session

    try:
        token = revoke_token(prefix)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    session.commit()
    click.echo(f"Revoked {token.prefix} ({token.name}).")


def register_commands(group) -> None:
    group.add_command(api_cli)
