-- zdkit-sync schema version 1 (PostgreSQL).
-- Typed columns for querying; `raw` holds the whole JSON object Zendesk sent.
-- Timestamps are TIMESTAMPTZ, tags JSONB. `raw` is TEXT holding compact JSON: kept exactly
-- (JSONB would reject `\u0000` escapes) and ~30% faster to write than the JSON type; query
-- it with casts, e.g. `raw::jsonb -> 'custom_fields'`.
-- Ids are positive (CHECK): a record with id <= 0 fails its page's transaction.

CREATE TABLE tickets (
    id                  BIGINT PRIMARY KEY CHECK (id > 0),
    subject             TEXT,
    status              TEXT,
    priority            TEXT,
    type                TEXT,
    requester_id        BIGINT,
    assignee_id         BIGINT,
    group_id            BIGINT,
    organization_id     BIGINT,
    tags                JSONB,
    created_at          TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ,
    generated_timestamp BIGINT,
    deleted             BOOLEAN NOT NULL DEFAULT FALSE,
    raw                 TEXT NOT NULL
);
CREATE INDEX tickets_updated_at ON tickets (updated_at);

CREATE TABLE users (
    id              BIGINT PRIMARY KEY CHECK (id > 0),
    name            TEXT,
    email           TEXT,
    role            TEXT,
    organization_id BIGINT,
    external_id     TEXT,
    active          BOOLEAN,
    created_at      TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    raw             TEXT NOT NULL
);
CREATE INDEX users_email ON users (email);

CREATE TABLE organizations (
    id          BIGINT PRIMARY KEY CHECK (id > 0),
    name        TEXT,
    external_id TEXT,
    group_id    BIGINT,
    tags        JSONB,
    created_at  TIMESTAMPTZ,
    updated_at  TIMESTAMPTZ,
    deleted_at  TIMESTAMPTZ,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    raw         TEXT NOT NULL
);

CREATE TABLE groups (
    id          BIGINT PRIMARY KEY CHECK (id > 0),
    name        TEXT,
    description TEXT,
    is_public   BOOLEAN,
    is_default  BOOLEAN,
    created_at  TIMESTAMPTZ,
    updated_at  TIMESTAMPTZ,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    raw         TEXT NOT NULL
);

CREATE TABLE ticket_fields (
    id         BIGINT PRIMARY KEY CHECK (id > 0),
    type       TEXT,
    title      TEXT,
    active     BOOLEAN,
    required   BOOLEAN,
    position   BIGINT,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    raw        TEXT NOT NULL
);

CREATE TABLE ticket_events (
    id         BIGINT PRIMARY KEY CHECK (id > 0),
    ticket_id  BIGINT,
    timestamp  BIGINT,
    created_at TIMESTAMPTZ,
    updater_id BIGINT,
    event_type TEXT,
    via        TEXT,
    raw        TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket_id ON ticket_events (ticket_id);

CREATE TABLE comments (
    id         BIGINT PRIMARY KEY CHECK (id > 0),
    ticket_id  BIGINT,
    audit_id   BIGINT,
    author_id  BIGINT,
    public     BOOLEAN,
    body       TEXT,
    created_at TIMESTAMPTZ,
    raw        TEXT NOT NULL
);
CREATE INDEX comments_ticket_id ON comments (ticket_id);

CREATE TABLE sync_state (
    stream     TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
