-- zdkit-sync schema version 5 (PostgreSQL): user identities, from the users export's
-- `identities` sideload. A user's identities are marked deleted and the listed ones
-- upserted whenever the user row is written (newest wins), so removed identities are
-- marked, never dropped.
CREATE TABLE identities (
    id         BIGINT PRIMARY KEY CHECK (id > 0),
    user_id    BIGINT,
    type       TEXT,
    value      TEXT,
    verified   BOOLEAN,
    "primary"  BOOLEAN,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    _synced_at TIMESTAMPTZ,
    raw        JSONB NOT NULL
);
CREATE INDEX identities_user_id ON identities (user_id);
CREATE INDEX identities_value ON identities (value);
