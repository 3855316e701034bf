-- zdkit-sync schema version 6 (PostgreSQL): nothing to change. Version 6 makes SQLite's
-- child tables WITHOUT ROWID (PostgreSQL tables have no rowid); the version is recorded
-- so that both backends share one schema version.
SELECT 1;
