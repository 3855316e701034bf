-- zdkit-sync schema version 6 (SQLite): the child tables `ticket_tags` and
-- `ticket_custom_fields` become WITHOUT ROWID tables, stored in their primary key's
-- B-tree: a row is written once, not into a rowid table and its key's index (callgrind of
-- a first sync's writer: 5.5 % fewer instructions). Same columns, keys, rows and indexes.
-- The view over `ticket_custom_fields` is dropped and recreated around the swap (SQLite
-- checks every view when a table is renamed).
DROP VIEW ticket_custom_field_values;

CREATE TABLE ticket_tags_v6 (
    ticket_id INTEGER NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
) WITHOUT ROWID;
INSERT INTO ticket_tags_v6 (ticket_id, tag)
    SELECT ticket_id, tag FROM ticket_tags ORDER BY ticket_id, tag;
DROP TABLE ticket_tags;
ALTER TABLE ticket_tags_v6 RENAME TO ticket_tags;
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

CREATE TABLE ticket_custom_fields_v6 (
    ticket_id    INTEGER NOT NULL,
    field_id     INTEGER NOT NULL,
    value        TEXT NOT NULL,
    value_number REAL,
    value_bool   INTEGER,
    PRIMARY KEY (ticket_id, field_id, value)
) WITHOUT ROWID;
INSERT INTO ticket_custom_fields_v6 (ticket_id, field_id, value, value_number, value_bool)
    SELECT ticket_id, field_id, value, value_number, value_bool FROM ticket_custom_fields
    ORDER BY ticket_id, field_id, value;
DROP TABLE ticket_custom_fields;
ALTER TABLE ticket_custom_fields_v6 RENAME TO ticket_custom_fields;
CREATE INDEX ticket_custom_fields_field ON ticket_custom_fields (field_id, value);

CREATE VIEW ticket_custom_field_values AS
SELECT c.ticket_id, c.field_id, f.type AS field_type, f.title AS field_title, c.value,
       CASE WHEN f.type = 'integer' THEN CAST(c.value AS INTEGER) END AS value_integer,
       CASE WHEN f.type = 'decimal' THEN CAST(c.value AS REAL) END AS value_decimal,
       CASE WHEN f.type = 'checkbox' THEN c.value_bool END AS value_checkbox,
       CASE WHEN f.type = 'date' THEN date(c.value) END AS value_date
FROM ticket_custom_fields c LEFT JOIN ticket_fields f ON f.id = c.field_id;
