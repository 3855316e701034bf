-- zdkit-sync schema version 3 (SQLite): ticket metrics, one row per ticket, from the
-- ticket export's `metric_sets` sideload (each ticket's embedded `metric_set`).
-- `deleted` is set when the ticket is deleted (the export then carries no metric set).
CREATE TABLE ticket_metrics (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    ticket_id  INTEGER,
    created_at TEXT,
    updated_at TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    raw        TEXT NOT NULL
);
CREATE INDEX ticket_metrics_ticket_id ON ticket_metrics (ticket_id);
