-- zdkit-sync schema version 5 (SQLite): user identities, from the users export's
-- `identities` sideload. A user's identities are marked deleted and the listed ones
-- upserted whenever the user row is written (newest wins), so removed identities are
-- marked, never dropped.
CREATE TABLE identities (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    user_id    INTEGER,
    type       TEXT,
    value      TEXT,
    verified   INTEGER,
    "primary"  INTEGER,
    created_at TEXT,
    updated_at TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    _synced_at TEXT,
    raw        TEXT NOT NULL
);
CREATE INDEX identities_user_id ON identities (user_id);
CREATE INDEX identities_value ON identities (value);
