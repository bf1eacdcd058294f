-- Imaging evaluations run as jobs ("evaluation.run"): the row is written when
-- the evaluation is queued (state 'queued', its job's id) and gets its report
-- and state 'succeeded' when the job finishes. Tabular evaluations are
-- written finished, as before. An approval may name the evaluation the
-- institution ran on its own data before approving (local validation).
ALTER TABLE evaluations ADD COLUMN state TEXT NOT NULL DEFAULT 'succeeded';
ALTER TABLE evaluations ADD COLUMN job_id TEXT;
ALTER TABLE app_approvals ADD COLUMN evaluation_id TEXT;
