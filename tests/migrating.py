"""Going back and forth through the migrations in a test: the migration tests
(test_*_migration.py, marker slow) build rows in an old schema and check them
after the upgrade, and on the way back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets):
    """Migrate the test database to `targets`; returns the apps as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    """Every app's newest migration: where a migration test must leave the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
