-- zdkit-sync schema version 2 (SQLite): the account a store mirrors.
-- One row, written by the first sync (`Store::begin_sync`); a sync of another account
-- into this store is refused. A store upgraded from version 1 is claimed by its next sync.
CREATE TABLE store_account (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    base_url    TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
