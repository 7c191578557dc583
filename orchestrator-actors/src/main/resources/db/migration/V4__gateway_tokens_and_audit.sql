-- Bearer tokens (only their SHA-256 is stored) and the audit trail of every mutating request.
CREATE TABLE api_tokens (
  id UUID PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  role VARCHAR(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_sha256 CHAR(64) NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by VARCHAR(64) NOT NULL,
  expires_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);

-- At most one live generated admin token, whichever node starts first.
CREATE UNIQUE INDEX api_tokens_one_bootstrap_idx ON api_tokens (name)
  WHERE created_by = 'bootstrap' AND revoked_at IS NULL;

CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor VARCHAR(64) NOT NULL,
  role VARCHAR(16),
  method VARCHAR(8) NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  outcome VARCHAR(16) NOT NULL,
  detail TEXT,
  node VARCHAR(128) NOT NULL
);

CREATE INDEX audit_log_at_idx ON audit_log (at);
