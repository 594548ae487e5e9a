-- Controls: a key's budget resets daily, weekly or monthly (UTC; NULL = never), and every
-- change made through the console or the management API is written to the audit log.

ALTER TABLE api_keys ADD COLUMN budget_reset TEXT CHECK (budget_reset IN ('daily', 'weekly', 'monthly'));

CREATE TABLE audit_log (
    id            BIGSERIAL PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    actor_user_id TEXT,
    actor_key_id  TEXT,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, id);
