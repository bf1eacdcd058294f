-- Job engine (src/jobs): a persistent queue in the catalog, modelled on
-- Orthanc's job engine (persisted, resumable) and on FOR UPDATE SKIP LOCKED
-- queues. A worker claims the oldest due queued job with one UPDATE ...
-- WHERE id = (SELECT ... LIMIT 1) RETURNING in a write transaction, takes a
-- lease (owner + expiry) and renews it while running; a row left `running`
-- by a dead process is re-queued. See docs/jobs.md and ADR 0008.
CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  institution_id   TEXT NOT NULL,
  created_by       TEXT NOT NULL DEFAULT '',
  input            TEXT NOT NULL,               -- JSON object
  idempotency_key  TEXT,                        -- NULL: none (NULLs never collide)
  state            TEXT NOT NULL,               -- queued | running | succeeded | failed | cancelled
  priority         BIGINT NOT NULL DEFAULT 0,   -- higher first
  progress         DOUBLE PRECISION NOT NULL DEFAULT 0,
  progress_message TEXT NOT NULL DEFAULT '',
  attempts         BIGINT NOT NULL DEFAULT 0,   -- claims so far
  max_attempts     BIGINT NOT NULL,
  next_attempt_at  BIGINT NOT NULL,             -- not claimed before (retry backoff)
  lease_owner      TEXT,                        -- "host/pid/nonce" of the running worker
  lease_expires_at BIGINT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  error_code       TEXT,                        -- a Status code (error_codes.def), never PHI
  error_message    TEXT,
  result           TEXT,                        -- JSON from the handler
  version          BIGINT NOT NULL DEFAULT 0,   -- bumped on every change (event streams)
  created_at       BIGINT NOT NULL,
  seq              BIGINT NOT NULL,  -- arrival order (created_at ties within a millisecond)
  started_at       BIGINT,                      -- first claim
  finished_at      BIGINT,
  updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs(institution_id, type, idempotency_key);
CREATE INDEX jobs_claim ON jobs(state, next_attempt_at, priority, created_at);
CREATE INDEX jobs_seq ON jobs(seq);
CREATE INDEX jobs_by_institution ON jobs(institution_id, created_at);
CREATE INDEX jobs_by_lease ON jobs(state, lease_expires_at);

-- Series arrival activity, written by the DICOM store in the ingest
-- transaction; the series-complete detector reads it (a series is complete
-- when nothing arrived for jobs.series_stable_seconds) and records when it
-- evaluated the routing rules.
CREATE TABLE dicom_series_activity (
  institution_id  TEXT NOT NULL,
  series_uid      TEXT NOT NULL,
  study_uid       TEXT NOT NULL,
  last_arrival_at BIGINT NOT NULL,
  evaluated_at    BIGINT,                       -- NULL or < last_arrival_at: due
  PRIMARY KEY (institution_id, series_uid)
);
CREATE INDEX dicom_series_activity_due ON dicom_series_activity(last_arrival_at);

-- Routing rules: which series go to which app, per institution.
CREATE TABLE routing_rules (
  id             TEXT PRIMARY KEY,
  institution_id TEXT NOT NULL,
  name           TEXT NOT NULL,
  enabled        INTEGER NOT NULL,
  match_json     TEXT NOT NULL,
  action_json    TEXT NOT NULL,
  created_by     TEXT NOT NULL DEFAULT '',
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  UNIQUE (institution_id, name)
);

-- Webhook subscriptions: results announced by an HMAC-signed POST.
CREATE TABLE webhooks (
  id             TEXT PRIMARY KEY,
  institution_id TEXT NOT NULL,
  name           TEXT NOT NULL,
  url            TEXT NOT NULL,
  events         TEXT NOT NULL,                 -- JSON array of event names
  secret         TEXT NOT NULL,                 -- HMAC key; shown once at creation
  enabled        INTEGER NOT NULL,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  UNIQUE (institution_id, name)
);
