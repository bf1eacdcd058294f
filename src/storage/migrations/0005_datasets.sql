-- Datasets: named collections owned by an institution, in numbered versions.
-- A draft version may still be re-split; a frozen version never changes.
-- Deleting a dataset keeps its row (and the audit trail) with deleted_at set
-- and drops its items.
CREATE TABLE datasets (
  id             TEXT PRIMARY KEY,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  name           TEXT NOT NULL,
  description    TEXT NOT NULL,
  kind           TEXT NOT NULL,        -- 'tabular' | 'imaging'
  visibility     TEXT NOT NULL,        -- 'institution' | 'public' (reference data)
  data_use       TEXT NOT NULL,        -- the data-use statement users agree to
  licence        TEXT NOT NULL,
  source         TEXT NOT NULL,        -- provenance: package and version, upload, query
  created_by     TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  deleted_at     BIGINT,
  deleted_by     TEXT
);
CREATE UNIQUE INDEX datasets_live_name ON datasets(institution_id, name) WHERE deleted_at IS NULL;

CREATE TABLE dataset_versions (
  dataset_id     TEXT NOT NULL REFERENCES datasets(id),
  version        INTEGER NOT NULL,
  state          TEXT NOT NULL,        -- 'draft' | 'frozen'
  content_sha256 TEXT NOT NULL,        -- blob: canonical content (CSV for tabular)
  content_bytes  BIGINT NOT NULL,
  schema_json    TEXT NOT NULL,        -- columns, types, label and group columns
  split_json     TEXT NOT NULL,        -- how the split was made
  stats_json     TEXT NOT NULL,        -- counts and label statistics per split
  item_count     BIGINT NOT NULL,
  created_by     TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  frozen_by      TEXT,
  frozen_at      BIGINT,
  PRIMARY KEY (dataset_id, version)
);

-- One row per item (tabular row, or imaging series) with its split.
CREATE TABLE dataset_items (
  dataset_id TEXT NOT NULL,
  version    INTEGER NOT NULL,
  item_index BIGINT NOT NULL,
  group_key  TEXT NOT NULL,            -- patient the item belongs to ('' = its own)
  split      TEXT NOT NULL,            -- 'train' | 'validation' | 'test'
  label      TEXT NOT NULL,
  ref        TEXT NOT NULL,            -- '' for tabular rows; series reference for imaging
  PRIMARY KEY (dataset_id, version, item_index),
  FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE INDEX dataset_items_by_split ON dataset_items(dataset_id, version, split);
