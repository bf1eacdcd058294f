// Shapes of the research API resources the portal shows (docs/api.md
// "Datasets", "Training and evaluations"; docs/training.md, docs/datasets.md).
// Only the fields the pages read; the server sends more.
import type { JobError } from '../../api';

export interface Dataset {
  id: string;
  name: string;
  kind: 'tabular' | 'imaging';
  visibility: 'institution' | 'public';
  description?: string;
  data_use: string;
  licence: string;
  source: string;
  institution_id: string;
  latest_version: number;
  created_at: string;
}
export interface DatasetStats {
  items?: number;
  splits?: Record<string, number>;
  labels?: Record<string, Record<string, number>>;
  patients?: number;
  studies?: number;
  instances?: number;
  annotated_series?: number;
  columns?: { name: string; type: string; missing?: number; min?: number; max?: number; mean?: number }[];
}
export interface DatasetVersion {
  dataset_id: string;
  version: number;
  state: 'draft' | 'frozen';
  item_count: number;
  content_bytes?: number;
  content_sha256?: string;
  created_at: string;
  frozen_at: string | null;
  split?: Record<string, unknown>;
  schema?: { columns?: { name: string; type: string }[]; label_column?: string; group_column?: string };
  stats?: DatasetStats;
}
export interface DatasetDetail {
  dataset: Dataset;
  versions: DatasetVersion[];
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export interface EpochRecord {
  epoch: number;
  epochs: number;
  loss: number | null;
  validation?: Record<string, number | null>;
  samples_per_second?: number;
  eta_seconds?: number;
  loader_wait_fraction?: number;
}
export interface TrainingJob {
  id: string;
  state: JobState;
  progress: number;
  progress_message: string;
  error: JobError | null;
  cancel_requested?: boolean;
  dataset_id: string;
  dataset_version: number | null;
  task: string;
  architecture: string;
  hyper: Record<string, unknown> | null;
  seed: number | null;
  threads: number | null;
  runtime: string | null;
  model: { sha256: string; bytes: number } | null;
  has_report: boolean;
  history?: EpochRecord[];
  result?: Record<string, unknown> | null;
  attempts?: number;
  version?: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface AucCi {
  lower: number;
  upper: number;
  level: number;
  method?: string;
  resamples?: number;
}
export interface SplitReport {
  cases?: number;
  positives?: number;
  negatives?: number;
  auc?: number | null;
  auc_ci?: AucCi | null;
  roc?: { threshold: number | null; fpr: number; tpr: number }[];
  at_thresholds?: Record<string, number | null>[];
  at_target_specificity?: Record<string, number | null>[];
  calibration?: { brier?: number; expected_calibration_error?: number };
  [block: string]: unknown;
}
export interface EvaluationReport {
  schema: string;
  title?: string;
  created_at?: string;
  task?: string;
  subject?: Record<string, unknown>;
  dataset?: { id?: string; name?: string; version?: number; licence?: string };
  splits?: Record<string, SplitReport>;
  history?: EpochRecord[];
  best_epoch?: number;
  rounds_trained?: number;
  data?: Record<string, unknown>;
  notes?: string[];
  figures?: { title: string; svg: string }[];
}
export interface Evaluation {
  id: string;
  subject: Record<string, unknown>;
  dataset_id: string;
  dataset_version: number;
  split: string;
  auc?: number | null;
  created_at: string;
  report?: EvaluationReport;
}
