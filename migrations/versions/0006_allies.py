"""Allies: one ask per request (ally_asks), random public ids, each side's contact, and an
API token scope to manage (an authority admin's writes)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _public_id():
    return secrets.token_urlsafe(16)


def _fill_public_ids(connection, table):
    rows = connection.execute(sa.text(f"SELECT id FROM {table} WHERE public_id IS NULL")).all()
    for (row_id,) in rows:
        connection.execute(
            sa.text(f"UPDATE {table} SET public_id = :public_id WHERE id = :id"),
            {"public_id": _public_id(), "id": row_id},
        )


def upgrade():
    op.create_table(
        "ally_asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=22), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("issue_type_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_ally_asks_expires_after_creation")
        ),
        sa.ForeignKeyConstraint(
            ["issue_type_id"],
            ["issue_types.id"],
            name=op.f("fk_ally_asks_issue_type_id_issue_types"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_ally_asks_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["authorities.id"],
            name=op.f("fk_ally_asks_requester_id_authorities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ally_asks")),
        sa.UniqueConstraint("public_id", name=op.f("uq_ally_asks_public_id")),
    )
    with op.batch_alter_table("ally_asks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ally_asks_requester_id"), ["requester_id"], unique=False
        )

    # Requests made before asks existed (none in practice: nothing wrote them) each get an
    # ask of their own, so that every request belongs to one.
    connection = op.get_bind()
    with op.batch_alter_table("ally_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=22), nullable=True))
        batch_op.add_column(sa.Column("ask_id", sa.Integer(), nullable=True))
    old = connection.execute(
        sa.text(
            "SELECT id, requester_id, issue_type_id, message, requested_by_id, created_at, "
            "expires_at FROM ally_requests ORDER BY id"
        )
    ).all()
    asks = sa.table(
        "ally_asks",
        sa.column("public_id", sa.String),
        sa.column("requester_id", sa.Integer),
        sa.column("issue_type_id", sa.Integer),
        sa.column("message", sa.Text),
        sa.column("contact_name", sa.String),
        sa.column("contact_email", sa.String),
        sa.column("requested_by_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    for row in old:
        public_id = _public_id()
        connection.execute(
            asks.insert().values(
                public_id=public_id,
                requester_id=row.requester_id,
                issue_type_id=row.issue_type_id,
                message=row.message,
                contact_name="",
                contact_email="",
                requested_by_id=row.requested_by_id,
                created_at=row.created_at,
                expires_at=row.expires_at,
            )
        )
        connection.execute(
            sa.text(
                "UPDATE ally_requests SET ask_id = (SELECT id FROM ally_asks WHERE "
                "public_id = :public_id) WHERE id = :id"
            ),
            {"public_id": public_id, "id": row.id},
        )
    _fill_public_ids(connection, "ally_requests")
    with op.batch_alter_table("ally_requests", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=22), nullable=False)
        batch_op.alter_column("ask_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_ally_requests_ask_id"), ["ask_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_ally_requests_public_id"), ["public_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_ally_requests_ask_id_ally_asks"),
            "ally_asks",
            ["ask_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=22), nullable=True))
        batch_op.add_column(
            sa.Column(
                "first_contact_name", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "first_contact_email", sa.String(length=320), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "second_contact_name", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "second_contact_email", sa.String(length=320), nullable=False, server_default=""
            )
        )
    _fill_public_ids(connection, "alliances")
    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=22), nullable=False)
        for column in (
            "first_contact_name",
            "first_contact_email",
            "second_contact_name",
            "second_contact_email",
        ):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_unique_constraint(batch_op.f("uq_alliances_public_id"), ["public_id"])

    # A token scope for an authority admin's writes: asking for, answering, ending allies.
    _token_scopes("('read', 'publish', 'manage')")


def _token_scopes(allowed):
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_api_tokens_known_scope"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_api_tokens_token_scope"), type_="check")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_api_tokens_known_scope"), f"scope IN {allowed}"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_api_tokens_token_scope"), f"scope IN {allowed}"
        )


def downgrade():
    op.execute("DELETE FROM api_tokens WHERE scope = 'manage'")
    _token_scopes("('read', 'publish')")

    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_alliances_public_id"), type_="unique")
        batch_op.drop_column("second_contact_email")
        batch_op.drop_column("second_contact_name")
        batch_op.drop_column("first_contact_email")
        batch_op.drop_column("first_contact_name")
        batch_op.drop_column("public_id")

    with op.batch_alter_table("ally_requests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_ally_requests_ask_id_ally_asks"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_ally_requests_public_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_ally_requests_ask_id"))
        batch_op.drop_column("ask_id")
        batch_op.drop_column("public_id")

    with op.batch_alter_table("ally_asks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ally_asks_requester_id"))
    op.drop_table("ally_asks")
