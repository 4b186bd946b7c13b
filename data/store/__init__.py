"""Storage: engine, ORM models, migrations, bulk loading, memos, data version, audit log."""
