-- zdkit-sync schema version 3 (PostgreSQL): ticket metrics, one row per ticket, from the
-- ticket export's `metric_sets` sideload (each ticket's embedded `metric_set`).
-- `deleted` is set when the ticket is deleted (the export then carries no metric set).
CREATE TABLE ticket_metrics (
    id         BIGINT PRIMARY KEY CHECK (id > 0),
    ticket_id  BIGINT,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    raw        TEXT NOT NULL
);
CREATE INDEX ticket_metrics_ticket_id ON ticket_metrics (ticket_id);
