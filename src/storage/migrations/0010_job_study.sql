-- The study a job works on (app.run, dicom.push: input.study_uid), as a
-- column, so "the AI status of these studies" (the portal's worklist,
-- GET /api/v1/jobs?study_uid=a,b) is an index lookup instead of a scan of
-- every job's JSON. '' for jobs without a study.
ALTER TABLE jobs ADD COLUMN study_uid TEXT NOT NULL DEFAULT '';
UPDATE jobs SET study_uid = COALESCE(json_extract(input, '$.study_uid'), '')
  WHERE json_type(input, '$.study_uid') = 'text';
CREATE INDEX jobs_by_study ON jobs(institution_id, study_uid, created_at);
