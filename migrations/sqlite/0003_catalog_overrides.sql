-- Catalog changes made by instance administrators in the console: per model, the fields that
-- differ from the shipped catalog and the configuration file, as a JSON object
-- ({"price_input": "1.5" | null, "context": 128000, "description": "…", "enabled": false, …}).
-- Every replica reads them at start and when they change.

CREATE TABLE catalog_overrides (
    model_id    TEXT PRIMARY KEY,
    fields      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT REFERENCES users(id) ON DELETE SET NULL
);

-- the providers' health (admin page) reads the last hour of every organization
CREATE INDEX request_logs_time ON request_logs(created_at);
