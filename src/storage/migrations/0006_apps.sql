-- Apps: vendor signing keys, published apps and their immutable versions,
-- which institutions may see an app, and which versions each institution
-- approved for clinical use. A vendor is an institution (its partner users
-- publish); its handle is institutions.name.
CREATE TABLE vendor_keys (
  key_id         TEXT PRIMARY KEY,      -- hex of the first 8 bytes of BLAKE2b-256(public key)
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  public_key     TEXT NOT NULL,         -- base64 of the 32-byte Ed25519 public key
  name           TEXT NOT NULL,         -- label chosen by the vendor, e.g. "release key 2026"
  created_by     TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  revoked_at     BIGINT,                -- revoked keys verify nothing new; published versions stay
  revoked_by     TEXT
);
CREATE INDEX vendor_keys_by_institution ON vendor_keys(institution_id);

CREATE TABLE apps (
  id                    TEXT PRIMARY KEY,
  name                  TEXT NOT NULL UNIQUE,   -- manifest name; one vendor owns a name
  vendor_institution_id TEXT NOT NULL REFERENCES institutions(id),
  display_name          TEXT NOT NULL,          -- of the latest published version
  is_public             INTEGER NOT NULL,       -- 1 = every institution may see it
  created_by            TEXT NOT NULL,
  created_at            BIGINT NOT NULL
);

-- Immutable once written, except status (active -> deprecated -> withdrawn).
CREATE TABLE app_versions (
  app_id            TEXT NOT NULL REFERENCES apps(id),
  version           TEXT NOT NULL,            -- SemVer 2.0.0
  digest            TEXT NOT NULL,            -- sha256:<hex of manifest.json bytes>
  manifest_json     TEXT NOT NULL,            -- exactly as signed
  package_sha256    TEXT NOT NULL,            -- blob: the whole .medai archive
  package_bytes     BIGINT NOT NULL,
  key_id            TEXT NOT NULL,            -- the vendor key that signed it
  status            TEXT NOT NULL,            -- 'active' | 'deprecated' | 'withdrawn'
  status_reason     TEXT NOT NULL,
  status_changed_at BIGINT,
  status_changed_by TEXT,
  created_by        TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  PRIMARY KEY (app_id, version)
);
CREATE INDEX app_versions_by_digest ON app_versions(digest);

-- Institutions (other than the vendor) allowed to see a non-public app.
CREATE TABLE app_visibility (
  app_id         TEXT NOT NULL REFERENCES apps(id),
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  granted_by     TEXT NOT NULL,
  granted_at     BIGINT NOT NULL,
  PRIMARY KEY (app_id, institution_id)
);

-- An institution admin's approval of one version for clinical use at their
-- institution. Revoking keeps the row (revoked_at set); approving again clears it.
CREATE TABLE app_approvals (
  app_id         TEXT NOT NULL,
  version        TEXT NOT NULL,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  approved_by    TEXT NOT NULL,
  approved_at    BIGINT NOT NULL,
  revoked_by     TEXT,
  revoked_at     BIGINT,
  PRIMARY KEY (app_id, version, institution_id),
  FOREIGN KEY (app_id, version) REFERENCES app_versions(app_id, version)
);
CREATE INDEX app_approvals_by_institution ON app_approvals(institution_id);

-- Clinicians' verdicts on an app's findings. One verdict per (job, finding,
-- user); a new verdict replaces the previous one (usage counters follow).
CREATE TABLE app_feedback (
  id             TEXT PRIMARY KEY,
  app_id         TEXT NOT NULL REFERENCES apps(id),
  version        TEXT NOT NULL,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  job_id         TEXT NOT NULL,
  finding_id     TEXT NOT NULL,
  verdict        TEXT NOT NULL,          -- 'accept' | 'reject' | 'edit'
  edit_json      TEXT,                   -- the clinician's correction for 'edit'
  user_id        TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  UNIQUE (job_id, finding_id, user_id)
);
CREATE INDEX app_feedback_by_version ON app_feedback(app_id, version);

-- Metering: per app version, institution and UTC day.
CREATE TABLE app_usage (
  app_id         TEXT NOT NULL REFERENCES apps(id),
  version        TEXT NOT NULL,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  day            TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
  jobs           BIGINT NOT NULL,
  compute_ms     BIGINT NOT NULL,
  accepted       BIGINT NOT NULL,
  rejected       BIGINT NOT NULL,
  edited         BIGINT NOT NULL,
  PRIMARY KEY (app_id, version, institution_id, day)
);
