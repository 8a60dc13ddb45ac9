"""Alembic environment: run with the connection handed over by ledger.migrate."""
from alembic import context

from ledger.migrate import on_this_database
from ledger.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=on_this_database(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
