-- Foundation: accounts, organizations, sessions, API keys, ledger, redemption codes.
-- Money is INTEGER units of 1e-10 USD. Times are INTEGER unix seconds (UTC).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    INTEGER NOT NULL
);

CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    personal      BOOLEAN NOT NULL DEFAULT FALSE,
    balance_units INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invites (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_by  TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_by TEXT REFERENCES users(id),
    accepted_at INTEGER,
    revoked     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX invites_org ON invites(org_id);

CREATE TABLE oauth_identities (
    provider   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry_date);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    created_by   TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'revoked')),
    management   BOOLEAN NOT NULL DEFAULT FALSE,
    budget_units INTEGER,
    spend_units  INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER
);
CREATE INDEX api_keys_org ON api_keys(org_id);

CREATE TABLE ledger_entries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id              TEXT NOT NULL REFERENCES organizations(id),
    kind                TEXT NOT NULL CHECK (kind IN ('top_up', 'redemption', 'admin_grant', 'charge', 'refund', 'adjustment')),
    amount_units        INTEGER NOT NULL,
    balance_after_units INTEGER NOT NULL,
    reference           TEXT NOT NULL UNIQUE,
    note                TEXT NOT NULL DEFAULT '',
    actor_user_id       TEXT,
    created_at          INTEGER NOT NULL
);
CREATE INDEX ledger_org ON ledger_entries(org_id, id);

-- The ledger is append-only.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

CREATE TABLE redemption_codes (
    id           TEXT PRIMARY KEY,
    code_hash    TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    amount_units INTEGER NOT NULL CHECK (amount_units > 0),
    created_by   TEXT,
    created_at   INTEGER NOT NULL,
    redeemed_by  TEXT REFERENCES users(id),
    redeemed_org TEXT REFERENCES organizations(id),
    redeemed_at  INTEGER
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
