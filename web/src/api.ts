// The documented REST API (docs/api.md) and DICOMweb, nothing else.
// The session token from POST /api/v1/auth/login is kept in sessionStorage
// (gone when the tab closes) and sent as a bearer token; it never goes into
// a URL. The HttpOnly session cookie the server also sets is not relied on.

const TOKEN_KEY = 'medai.session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: unknown = null,
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}
export function authHeaders(): Record<string, string> {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

// Called when the server says the session is over (401): the app returns to log-in.
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; detail?: unknown } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON (proxy error page) */
  }
  return new ApiError(res.status, body.error ?? `http_${res.status}`, body.message ?? res.statusText, body.detail);
}

export async function request<T>(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<T> {
  const headers: Record<string, string> = { Accept: accept, ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && !path.endsWith('/auth/login')) {
    setToken(null);
    onUnauthenticated();
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
export const put = <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {});
export const del = <T>(path: string) => request<T>('DELETE', path);
// Public operational endpoints (/readyz, /metrics): the answer whatever its
// status (a 503 from /readyz still says which check failed).
export async function probe(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(path, { headers: { Accept: 'application/json, text/plain' } });
  return { status: res.status, text: await res.text() };
}
export const dicomJson = <T>(path: string) => request<T>('GET', path, undefined, 'application/dicom+json');
// A QIDO-RS search with its X-Total-Count (how many match in all).
export async function dicomSearch<T>(path: string): Promise<{ items: T[]; total: number | null }> {
  const res = await fetch(path, { headers: { Accept: 'application/dicom+json', ...authHeaders() } });
  if (res.status === 401) {
    setToken(null);
    onUnauthenticated();
  }
  if (!res.ok) throw await errorOf(res);
  const header = res.headers.get('X-Total-Count');
  return { items: (await res.json()) as T[], total: header === null ? null : Number(header) };
}

// --- resource types (the subset the portal shows) ------------------------------

export interface User {
  id: string;
  username: string;
  display_name: string;
  institution_id: string;
  roles: string[];
  disabled?: boolean;
}
export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  total: number;  // items matching, on every page (also the X-Total-Count header)
}
export interface JobError {
  code: string;
  message: string;
}
export interface Job {
  id: string;
  type: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  input: Record<string, unknown>;
  progress: number;
  progress_message: string;
  error: JobError | null;
  result: AppResult | null;
  created_at: string;
  finished_at: string | null;
}
export interface Measurement {
  name: string;
  value: number;
  unit: string;
}
export interface Finding {
  id: string;
  label: string;
  score: number | null;
  centre_mm?: number[];
  slice_index?: number;
  measurements: Measurement[];
  attributes?: Record<string, unknown>;
}
export interface AppResult {
  schema: string;
  app: { name: string; version: string; vendor: string };
  research_use_only: boolean;
  study_instance_uid: string;
  source_series_instance_uid: string;
  findings: Finding[];
  exam?: Record<string, unknown>;
  objects: { kind: string; sop_instance_uid: string; series_instance_uid: string }[];
}
export interface AppVersion {
  name: string;
  version: string;
  status: string;
  status_reason: string;
  approved: boolean;
  display_name?: string;
  task?: string;
  research_use_only?: boolean;
  created_at: string;
  manifest?: Record<string, any>;
}
export interface App {
  name: string;
  vendor: string;
  display_name: string;
  public: boolean;
  versions: AppVersion[];
}
export interface UsageRow {
  version: string;
  institution_id: string;
  day: string;
  jobs: number;
  compute_seconds: number;
  accepted: number;
  rejected: number;
  edited: number;
  acceptance_rate: number | null;
}
export interface RoutingRule {
  id: string;
  name: string;
  enabled: boolean;
  match: Record<string, unknown>;
  action: { job_type: string; app?: string; version?: string };
}

export interface DicomNode {
  id: string;
  institution_id: string;
  name: string;
  ae_title: string;
  host: string;
  port: number;
  allow_store: boolean;
  allow_query: boolean;
  allow_push: boolean;
  created_at: string;
  updated_at: string;
}
export interface ApiToken {
  id: string;
  user_id: string;
  kind: 'api' | 'session';
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  current?: boolean;  // the credential of this request (this session)
}
export interface EchoResult {
  success: boolean;
  code: string;
  message: string;
  dimse_status: number | null;
  elapsed_ms: number;
  ae_title: string;
  calling_ae_title: string;
  host: string;
  port: number;
}
export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  outcome: string;
  actor_user_id: string;
  institution_id: string;
  resource_type: string;
  resource_id: string;
  detail: Record<string, unknown> | null;
}

// DICOM JSON (PS3.18 F.2): value of a tag, or undefined.
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;
export function tagValue(ds: DicomJson, tag: string): unknown {
  return ds[tag]?.Value?.[0];
}
export function tagString(ds: DicomJson, tag: string): string {
  const v = tagValue(ds, tag);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && v !== null && 'Alphabetic' in v) return String((v as { Alphabetic: string }).Alphabetic);
  return String(v);
}
