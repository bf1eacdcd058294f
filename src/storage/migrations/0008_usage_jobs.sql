-- Metering is once per job: a job that runs again (retry after a crash or a
-- lost lease) finds its row here and does not count a second time.
CREATE TABLE app_usage_jobs (
  job_id         TEXT PRIMARY KEY,
  app_id         TEXT NOT NULL REFERENCES apps(id),
  version        TEXT NOT NULL,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  compute_ms     BIGINT NOT NULL,
  recorded_at    BIGINT NOT NULL
);
