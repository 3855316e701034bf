-- zdkit-sync schema version 1 (SQLite).
-- Typed columns for querying; `raw` holds the whole JSON object Zendesk sent.
-- Timestamps are TEXT `YYYY-MM-DDTHH:MM:SSZ` (UTC), booleans INTEGER 0/1, tags JSON text.
-- Ids are positive (CHECK): a record with id <= 0 fails its page's transaction.

CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY CHECK (id > 0),
    subject             TEXT,
    status              TEXT,
    priority            TEXT,
    type                TEXT,
    requester_id        INTEGER,
    assignee_id         INTEGER,
    group_id            INTEGER,
    organization_id     INTEGER,
    tags                TEXT,
    created_at          TEXT,
    updated_at          TEXT,
    generated_timestamp INTEGER,
    deleted             INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    raw                 TEXT NOT NULL
);
CREATE INDEX tickets_updated_at ON tickets (updated_at);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY CHECK (id > 0),
    name            TEXT,
    email           TEXT,
    role            TEXT,
    organization_id INTEGER,
    external_id     TEXT,
    active          INTEGER,
    created_at      TEXT,
    updated_at      TEXT,
    deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    raw             TEXT NOT NULL
);
CREATE INDEX users_email ON users (email);

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY CHECK (id > 0),
    name        TEXT,
    external_id TEXT,
    group_id    INTEGER,
    tags        TEXT,
    created_at  TEXT,
    updated_at  TEXT,
    deleted_at  TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    raw         TEXT NOT NULL
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY CHECK (id > 0),
    name        TEXT,
    description TEXT,
    is_public   INTEGER,
    is_default  INTEGER,
    created_at  TEXT,
    updated_at  TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    raw         TEXT NOT NULL
);

CREATE TABLE ticket_fields (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    type       TEXT,
    title      TEXT,
    active     INTEGER,
    required   INTEGER,
    position   INTEGER,
    created_at TEXT,
    updated_at TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    raw        TEXT NOT NULL
);

CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    ticket_id  INTEGER,
    timestamp  INTEGER,
    created_at TEXT,
    updater_id INTEGER,
    event_type TEXT,
    via        TEXT,
    raw        TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket_id ON ticket_events (ticket_id);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    ticket_id  INTEGER,
    audit_id   INTEGER,
    author_id  INTEGER,
    public     INTEGER,
    body       TEXT,
    created_at TEXT,
    raw        TEXT NOT NULL
);
CREATE INDEX comments_ticket_id ON comments (ticket_id);

CREATE TABLE sync_state (
    stream     TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
