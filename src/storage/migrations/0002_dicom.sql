-- DICOM index: studies (with their patient attributes, as QIDO-RS returns
-- them), series and instances, each scoped by the institution that sent the
-- data (tenancy: a caller sees its own institution's rows, a platform admin
-- all). The instance's bytes live in the blob store under blob_sha256.
-- Text attributes are UTF-8 (converted from Specific Character Set on
-- ingest); dates are DICOM DA text (YYYYMMDD) and times TM text without
-- separators, so range matching is plain text comparison. *_norm columns
-- hold upper-cased, space-separated name components for fuzzy matching.
CREATE TABLE dicom_studies (
  institution_id           TEXT NOT NULL,
  study_uid                TEXT NOT NULL,
  patient_id               TEXT NOT NULL DEFAULT '',
  patient_name             TEXT NOT NULL DEFAULT '',
  patient_name_norm        TEXT NOT NULL DEFAULT '',
  patient_birth_date       TEXT NOT NULL DEFAULT '',
  patient_sex              TEXT NOT NULL DEFAULT '',
  study_date               TEXT NOT NULL DEFAULT '',
  study_time               TEXT NOT NULL DEFAULT '',
  accession_number         TEXT NOT NULL DEFAULT '',
  referring_physician_name TEXT NOT NULL DEFAULT '',
  referring_physician_norm TEXT NOT NULL DEFAULT '',
  study_id                 TEXT NOT NULL DEFAULT '',
  study_description        TEXT NOT NULL DEFAULT '',
  modalities               TEXT NOT NULL DEFAULT '',  -- backslash-separated, sorted
  series_count             BIGINT NOT NULL DEFAULT 0,
  instance_count           BIGINT NOT NULL DEFAULT 0,
  created_at               BIGINT NOT NULL,
  updated_at               BIGINT NOT NULL,
  PRIMARY KEY (institution_id, study_uid)
);
CREATE INDEX dicom_studies_by_date ON dicom_studies(institution_id, study_date, study_time, study_uid);
CREATE INDEX dicom_studies_by_patient_id ON dicom_studies(institution_id, patient_id);
CREATE INDEX dicom_studies_by_accession ON dicom_studies(institution_id, accession_number);
CREATE INDEX dicom_studies_by_name ON dicom_studies(institution_id, patient_name);
CREATE INDEX dicom_studies_study_uid ON dicom_studies(study_uid);

CREATE TABLE dicom_series (
  institution_id      TEXT NOT NULL,
  series_uid          TEXT NOT NULL,
  study_uid           TEXT NOT NULL,
  modality            TEXT NOT NULL DEFAULT '',
  series_number       BIGINT,
  series_description  TEXT NOT NULL DEFAULT '',
  series_date         TEXT NOT NULL DEFAULT '',
  series_time         TEXT NOT NULL DEFAULT '',
  body_part_examined  TEXT NOT NULL DEFAULT '',
  pps_start_date      TEXT NOT NULL DEFAULT '',
  pps_start_time      TEXT NOT NULL DEFAULT '',
  instance_count      BIGINT NOT NULL DEFAULT 0,
  created_at          BIGINT NOT NULL,
  PRIMARY KEY (institution_id, series_uid)
);
CREATE INDEX dicom_series_by_study ON dicom_series(institution_id, study_uid, series_number, series_uid);
CREATE INDEX dicom_series_by_modality ON dicom_series(institution_id, modality);

CREATE TABLE dicom_instances (
  institution_id     TEXT NOT NULL,
  sop_instance_uid   TEXT NOT NULL,
  series_uid         TEXT NOT NULL,
  study_uid          TEXT NOT NULL,
  sop_class_uid      TEXT NOT NULL,
  instance_number    BIGINT,
  rows_count         BIGINT,
  columns_count      BIGINT,
  number_of_frames   BIGINT,
  bits_allocated     BIGINT,
  transfer_syntax    TEXT NOT NULL,
  blob_sha256        TEXT NOT NULL,
  size_bytes         BIGINT NOT NULL,
  received_at        BIGINT NOT NULL,
  source_protocol    TEXT NOT NULL,  -- stow | dimse | upload
  source_ae          TEXT NOT NULL DEFAULT '',
  source_user_id     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (institution_id, sop_instance_uid)
);
CREATE INDEX dicom_instances_by_series ON dicom_instances(institution_id, series_uid, instance_number, sop_instance_uid);
CREATE INDEX dicom_instances_by_study ON dicom_instances(institution_id, study_uid);
-- Garbage collection of blobs asks "is this hash still referenced?".
CREATE INDEX dicom_instances_by_blob ON dicom_instances(blob_sha256);
