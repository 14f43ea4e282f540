"""Alembic migrations of Herald's database, run by `herald.store.db.create_schema`.

`env.py` and `versions/` follow Alembic's layout; `legacy.py` brings a database made by
`create_all` (before migrations existed) to revision 0001. How to add a revision:
docs/architecture.md, "Database and migrations".
"""
