-- PostgreSQL variant of 0010_job_study.sql (JSON functions differ).
ALTER TABLE jobs ADD COLUMN study_uid TEXT NOT NULL DEFAULT '';
UPDATE jobs SET study_uid = input::jsonb ->> 'study_uid'
  WHERE jsonb_typeof(input::jsonb -> 'study_uid') = 'string';
CREATE INDEX jobs_by_study ON jobs(institution_id, study_uid, created_at);
