-- Training service (src/training): one row per training job (the job itself
-- lives in `jobs`, type "train", same id) with what was asked, the artefacts
-- it produced (blobs: exported model "best", last checkpoint) and the
-- evaluation report; one row per finished epoch/round for the curves.
-- A re-run after a crash overwrites its epochs (same job_id, epoch).
CREATE TABLE training_runs (
  job_id            TEXT PRIMARY KEY,
  institution_id    TEXT NOT NULL,
  created_by        TEXT NOT NULL,
  dataset_id        TEXT NOT NULL,
  dataset_version   BIGINT NOT NULL,
  task              TEXT NOT NULL,
  architecture      TEXT NOT NULL,
  hyper             TEXT NOT NULL,               -- JSON object as submitted
  seed              BIGINT NOT NULL,
  threads           BIGINT NOT NULL,
  runtime           TEXT,                        -- "xgboost" | "torchscript" once trained
  model_sha256      TEXT,                        -- blob: exported model (best epoch)
  model_bytes       BIGINT,
  last_sha256       TEXT,                        -- blob: last checkpoint
  manifest_fragment TEXT,                        -- JSON: input/output/pipeline for an app manifest
  report            TEXT,                        -- JSON: medai.evaluation-report/1
  created_at        BIGINT NOT NULL,
  finished_at       BIGINT
);
CREATE INDEX training_runs_by_institution ON training_runs (institution_id, created_at);

CREATE TABLE training_epochs (
  job_id      TEXT NOT NULL,
  epoch       BIGINT NOT NULL,
  record      TEXT NOT NULL,                     -- JSON: epoch, loss, validation, samples_per_second
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (job_id, epoch)
);

-- Evaluations (`medai evaluate`, POST /api/v1/evaluations): a model (a
-- training job's or an app version's) run on a split of a dataset the caller
-- can read; the report is kept (medai.evaluation-report/1), e.g. so an
-- institution can look at a vendor's version on its own data before approving.
CREATE TABLE evaluations (
  id              TEXT PRIMARY KEY,
  institution_id  TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  subject         TEXT NOT NULL,                 -- JSON: {"kind": "training_job"|"app_version", ...}
  dataset_id      TEXT NOT NULL,
  dataset_version BIGINT NOT NULL,
  split           TEXT NOT NULL,
  report          TEXT NOT NULL,
  created_at      BIGINT NOT NULL
);
CREATE INDEX evaluations_by_institution ON evaluations (institution_id, created_at);
