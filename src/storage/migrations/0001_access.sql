-- Institutions (tenants), users with roles, API tokens and browser sessions,
-- and the access audit trail. Portable SQL: TEXT ids, BIGINT epoch-ms times.
CREATE TABLE institutions (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at   BIGINT NOT NULL
);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  username       TEXT NOT NULL UNIQUE,
  display_name   TEXT NOT NULL,
  password_hash  TEXT,
  disabled       INTEGER NOT NULL DEFAULT 0,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX users_by_institution ON users(institution_id, username);

CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role    TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);

-- kind: 'api' (bearer token issued to a user) or 'session' (browser log-in).
-- Only the SHA-256 of the secret is stored; prefix is shown to identify it.
CREATE TABLE tokens (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,
  revoked_at   BIGINT,
  last_used_at BIGINT
);
CREATE INDEX tokens_by_user ON tokens(user_id, created_at);

-- Who did what to which resource, and whether it was allowed.
CREATE TABLE audit_events (
  id             TEXT PRIMARY KEY,
  at             BIGINT NOT NULL,
  actor_user_id  TEXT,
  institution_id TEXT,
  action         TEXT NOT NULL,
  resource_type  TEXT NOT NULL,
  resource_id    TEXT,
  outcome        TEXT NOT NULL,
  detail         TEXT
);
CREATE INDEX audit_by_institution ON audit_events(institution_id, at);
