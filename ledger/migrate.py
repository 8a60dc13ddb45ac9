"""Create or migrate the schema with Alembic (idempotent): `panhuo init-db`."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def on_this_database(dialect: str):
    """Alembic's `include_object` for `dialect`: leaves out what the models create on another
    database only (`ddl_if`, such as PostgreSQL's trigram indexes), which autogenerate does not know."""
    def include(obj, name, kind, reflected, compare_to) -> bool:
        rule = getattr(obj, "_ddl_if", None)
        return rule is None or rule.dialect in (None, dialect)
    return include


def upgrade(engine: Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
