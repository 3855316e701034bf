-- zdkit-sync schema version 4 (PostgreSQL): the analyst schema (issue 12).
-- Tickets get typed columns for the fields people filter on; every table a `_synced_at`;
-- ticket events the types of their child events; tags and custom field values get child
-- tables, one row per value, rewritten with each newer version of their ticket. `raw`
-- becomes JSONB (query `raw -> 'via'` directly); JSONB cannot hold the NUL character, so
-- `\u0000` escapes are removed from raw (unescaped ones only; a store whose raw cannot be
-- converted fails this migration and is left at version 3). Existing rows keep NULL in
-- the new columns until their record changes (or `zd sync reset tickets` refetches them).
ALTER TABLE tickets
    ADD COLUMN description TEXT,
    ADD COLUMN external_id TEXT,
    ADD COLUMN via_channel TEXT,
    ADD COLUMN brand_id BIGINT,
    ADD COLUMN ticket_form_id BIGINT,
    ADD COLUMN custom_status_id BIGINT,
    ADD COLUMN satisfaction_score TEXT,
    ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE users ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE organizations ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE groups ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE ticket_fields ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE ticket_events ADD COLUMN event_types JSONB, ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE comments ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;
ALTER TABLE ticket_metrics ADD COLUMN _synced_at TIMESTAMPTZ,
    ALTER COLUMN raw TYPE JSONB USING regexp_replace(raw, '(?<!\\)\\u0000', '', 'g')::jsonb;

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

-- One row per ticket, custom field and value (a multiselect has one row per option).
-- `value` is the value as text; `value_number` and `value_bool` hold it typed when it is
-- a JSON number or boolean. The view `ticket_custom_field_values` types it by the field's
-- type in `ticket_fields` (dates, integers, decimals, checkboxes; unparsable values NULL).
CREATE TABLE ticket_custom_fields (
    ticket_id    BIGINT NOT NULL,
    field_id     BIGINT NOT NULL,
    value        TEXT NOT NULL,
    value_number DOUBLE PRECISION,
    value_bool   BOOLEAN,
    PRIMARY KEY (ticket_id, field_id, value)
);
CREATE INDEX ticket_custom_fields_field ON ticket_custom_fields (field_id, value);

CREATE VIEW ticket_custom_field_values AS
SELECT c.ticket_id, c.field_id, f.type AS field_type, f.title AS field_title, c.value,
       CASE WHEN f.type = 'integer' AND c.value ~ '^-?[0-9]{1,18}$' THEN c.value::bigint END
           AS value_integer,
       CASE WHEN f.type = 'decimal' THEN c.value_number END AS value_decimal,
       CASE WHEN f.type = 'checkbox' THEN c.value_bool END AS value_checkbox,
       CASE WHEN f.type = 'date' AND c.value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
           THEN to_date(c.value, 'YYYY-MM-DD') END AS value_date
FROM ticket_custom_fields c LEFT JOIN ticket_fields f ON f.id = c.field_id;
