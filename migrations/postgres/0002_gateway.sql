-- Chat gateway: one row per request (success or error), written in batches off the request
-- path together with the request's ledger charge (reference 'request:<id>').

CREATE TABLE request_logs (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key_id          TEXT,
    created_at      BIGINT NOT NULL,
    protocol        TEXT NOT NULL,
    model_requested TEXT NOT NULL,
    model_used      TEXT,
    provider        TEXT,
    status          BIGINT NOT NULL,
    error           TEXT,
    input_tokens    BIGINT NOT NULL DEFAULT 0,
    output_tokens   BIGINT NOT NULL DEFAULT 0,
    cached_tokens   BIGINT NOT NULL DEFAULT 0,
    cost_units      BIGINT NOT NULL DEFAULT 0,
    latency_ms      BIGINT NOT NULL DEFAULT 0,
    ttft_ms         BIGINT,
    streamed        BOOLEAN NOT NULL DEFAULT FALSE,
    usage_estimated BOOLEAN NOT NULL DEFAULT FALSE,
    route_reason    TEXT
);
CREATE INDEX request_logs_org_time ON request_logs(org_id, created_at);
CREATE INDEX request_logs_key ON request_logs(key_id, created_at);
