-- Video generation jobs (POST /api/v1/videos). The table is the queue: a worker claims due
-- jobs by setting `claim` and `claimed_until_ms` (a lease) in one conditional UPDATE, so any
-- replica can run any job and a job whose process died is claimed again once its lease ends.
--
-- status:         queued → submitting (the create is being sent upstream; the job id is the
--                 client request id, so a retry finds the same upstream task) → running (the
--                 upstream task id is stored) → completed | failed
-- billing_status: pre_deducted (the estimate is charged) → settled (on the tokens the
--                 upstream reported) | refunded (the job failed)
-- Money is INTEGER units of 1e-10 USD; *_at are unix seconds, *_ms unix milliseconds.

CREATE TABLE video_jobs (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key_id              TEXT NOT NULL,
    idempotency_key     TEXT,
    request_hash        TEXT NOT NULL,
    model               TEXT NOT NULL,
    provider            TEXT NOT NULL,
    upstream_model      TEXT NOT NULL,
    prompt              TEXT NOT NULL,
    duration            INTEGER NOT NULL,
    resolution          TEXT NOT NULL,
    aspect_ratio        TEXT NOT NULL,
    width               INTEGER NOT NULL,
    height              INTEGER NOT NULL,
    generate_audio      BOOLEAN NOT NULL,
    seed                INTEGER NOT NULL,
    size                TEXT,
    metadata            TEXT,
    webhook_url         TEXT,
    price               TEXT NOT NULL,
    estimated_tokens    INTEGER NOT NULL,
    estimated_units     INTEGER NOT NULL,
    balance_after_units INTEGER NOT NULL,
    billed_units        INTEGER,
    video_tokens        INTEGER,
    billing_status      TEXT NOT NULL CHECK (billing_status IN ('pre_deducted', 'settled', 'refunded')),
    status              TEXT NOT NULL CHECK (status IN ('queued', 'submitting', 'running', 'completed', 'failed')),
    upstream_task_id    TEXT,
    upstream_status     TEXT,
    error               TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_run_ms         INTEGER NOT NULL,
    deadline_ms         INTEGER NOT NULL,
    claim               TEXT,
    claimed_until_ms    INTEGER NOT NULL DEFAULT 0,
    file_bytes          INTEGER,
    file_present        BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at          INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    completed_at        INTEGER
);
-- one job per API key and Idempotency-Key (cleared after the retention of idempotency keys)
CREATE UNIQUE INDEX video_jobs_idempotency ON video_jobs(key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- the queue: unfinished jobs by when they are next due
CREATE INDEX video_jobs_due ON video_jobs(next_run_ms) WHERE status IN ('queued', 'submitting', 'running');
-- the sweeper: stored files by expiry
CREATE INDEX video_jobs_files ON video_jobs(expires_at) WHERE file_present;
CREATE INDEX video_jobs_key ON video_jobs(key_id, created_at);
