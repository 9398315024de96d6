"""Django ORM adapter: records, migrations, repositories and the unit of work."""
