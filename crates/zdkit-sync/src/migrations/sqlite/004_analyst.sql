-- zdkit-sync schema version 4 (SQLite): the analyst schema (issue 12).
-- Tickets get typed columns for the fields people filter on; every table a `_synced_at`
-- (when the row was last written, UTC); ticket events the types of their child events;
-- tags and custom field values get child tables, one row per value, rewritten with each
-- newer version of their ticket. Existing rows keep NULL in the new columns until their
-- record changes (or `zd sync reset tickets` refetches them).
ALTER TABLE tickets ADD COLUMN description TEXT;
ALTER TABLE tickets ADD COLUMN external_id TEXT;
ALTER TABLE tickets ADD COLUMN via_channel TEXT;
ALTER TABLE tickets ADD COLUMN brand_id INTEGER;
ALTER TABLE tickets ADD COLUMN ticket_form_id INTEGER;
ALTER TABLE tickets ADD COLUMN custom_status_id INTEGER;
ALTER TABLE tickets ADD COLUMN satisfaction_score TEXT;
ALTER TABLE tickets ADD COLUMN _synced_at TEXT;
ALTER TABLE users ADD COLUMN _synced_at TEXT;
ALTER TABLE organizations ADD COLUMN _synced_at TEXT;
ALTER TABLE groups ADD COLUMN _synced_at TEXT;
ALTER TABLE ticket_fields ADD COLUMN _synced_at TEXT;
ALTER TABLE ticket_events ADD COLUMN event_types TEXT;
ALTER TABLE ticket_events ADD COLUMN _synced_at TEXT;
ALTER TABLE comments ADD COLUMN _synced_at TEXT;
ALTER TABLE ticket_metrics ADD COLUMN _synced_at TEXT;

CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

-- One row per ticket, custom field and value (a multiselect has one row per option).
-- `value` is the value as text; `value_number` and `value_bool` hold it typed when it is
-- a JSON number or boolean. The view `ticket_custom_field_values` types it by the field's
-- type in `ticket_fields` (dates, integers, decimals, checkboxes).
CREATE TABLE ticket_custom_fields (
    ticket_id    INTEGER NOT NULL,
    field_id     INTEGER NOT NULL,
    value        TEXT NOT NULL,
    value_number REAL,
    value_bool   INTEGER,
    PRIMARY KEY (ticket_id, field_id, value)
);
CREATE INDEX ticket_custom_fields_field ON ticket_custom_fields (field_id, value);

CREATE VIEW ticket_custom_field_values AS
SELECT c.ticket_id, c.field_id, f.type AS field_type, f.title AS field_title, c.value,
       CASE WHEN f.type = 'integer' THEN CAST(c.value AS INTEGER) END AS value_integer,
       CASE WHEN f.type = 'decimal' THEN CAST(c.value AS REAL) END AS value_decimal,
       CASE WHEN f.type = 'checkbox' THEN c.value_bool END AS value_checkbox,
       CASE WHEN f.type = 'date' THEN date(c.value) END AS value_date
FROM ticket_custom_fields c LEFT JOIN ticket_fields f ON f.id = c.field_id;
