-- Free models (catalog price zero) have daily request limits per user and for everyone: each
-- log row says whether its model was free, so a day's count is one indexed range.
ALTER TABLE request_logs ADD COLUMN free BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX request_logs_free ON request_logs(created_at) WHERE free;
