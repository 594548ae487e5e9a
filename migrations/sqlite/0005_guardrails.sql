-- Guardrails: policies an organization applies to some of its keys or to all of its traffic.
-- A model allowlist (exact ids and provider/* patterns, JSON arrays; NULL = any), a budget per
-- UTC period (NULL limit = none, NULL reset = never), requests and tokens per minute.
-- A guardrail assigned to keys limits each key on its own; assigned to the organization it
-- limits the organization's traffic as a whole.

CREATE TABLE guardrails (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    description         TEXT,
    limit_units         INTEGER,
    reset_interval      TEXT CHECK (reset_interval IN ('daily', 'weekly', 'monthly')),
    allowed_models      TEXT,
    allowed_providers   TEXT,
    requests_per_minute INTEGER,
    tokens_per_minute   INTEGER,
    org_assigned        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX guardrails_org ON guardrails(org_id, created_at);

CREATE TABLE guardrail_keys (
    guardrail_id TEXT NOT NULL REFERENCES guardrails(id) ON DELETE CASCADE,
    key_id       TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (guardrail_id, key_id)
);
CREATE INDEX guardrail_keys_key ON guardrail_keys(key_id);

-- Per-organization routing settings: auto routing on or off, and the cost (0) to quality (1)
-- preference auto routing ranks by. No row = the defaults (on, 0: cheapest first).
CREATE TABLE org_routing (
    org_id       TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    auto_routing BOOLEAN NOT NULL DEFAULT TRUE,
    preference   REAL NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);
