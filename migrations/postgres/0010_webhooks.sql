-- Signed webhooks of video jobs (`webhook_url`).
--
-- webhook_secrets: one signing secret per organization, made on first need and replaced by
-- "rotate". `sealed` is the secret encrypted (ChaCha20-Poly1305, key derived from the server
-- secret, the organization id as associated data): it must be read back to sign, so it
-- cannot be a hash, and a copy of the database alone does not give it away.
--
-- video_webhook_deliveries: the delivery queue, one row per finished job that has a
-- webhook_url, written in the transaction that finishes the job (nothing can lose it). A
-- worker claims due rows with a lease (`claim`, `claimed_until_ms`) like video_jobs.
-- status: pending → delivered (a 2xx answer) | given_up (no 2xx within the give-up window).
--
-- video_webhook_attempts: every POST tried, with its time, duration and HTTP status or error.
-- *_at are unix seconds, *_ms unix milliseconds (BIGINT here, INTEGER on SQLite).

CREATE TABLE webhook_secrets (
    org_id      TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    sealed      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    rotated_at  BIGINT
);

CREATE TABLE video_webhook_deliveries (
    id                TEXT PRIMARY KEY,
    job_id            TEXT NOT NULL UNIQUE REFERENCES video_jobs(id) ON DELETE CASCADE,
    org_id            TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    event             TEXT NOT NULL CHECK (event IN ('video.completed', 'video.failed')),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'given_up')),
    attempts          BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms   BIGINT NOT NULL,
    claim             TEXT,
    claimed_until_ms  BIGINT NOT NULL DEFAULT 0,
    last_status_code  BIGINT,
    last_error        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    finished_at       BIGINT
);
-- the queue: pending deliveries by when they are next due (claimed with FOR UPDATE SKIP LOCKED)
CREATE INDEX video_webhook_deliveries_due ON video_webhook_deliveries(next_attempt_ms) WHERE status = 'pending';
-- the console's log, newest first
CREATE INDEX video_webhook_deliveries_org ON video_webhook_deliveries(org_id, created_at);

CREATE TABLE video_webhook_attempts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id    TEXT NOT NULL REFERENCES video_webhook_deliveries(id) ON DELETE CASCADE,
    attempt        BIGINT NOT NULL,
    started_at_ms  BIGINT NOT NULL,
    duration_ms    BIGINT NOT NULL,
    status_code    BIGINT,
    error          TEXT
);
CREATE INDEX video_webhook_attempts_delivery ON video_webhook_attempts(delivery_id, attempt);
