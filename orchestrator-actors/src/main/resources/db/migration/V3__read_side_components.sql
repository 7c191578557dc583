-- Query table for GET /api/v1/components, folded from ComponentEntity events by a projection.
CREATE TABLE components (
  id VARCHAR(64) PRIMARY KEY,
  driver VARCHAR(32) NOT NULL,
  endpoint TEXT,
  groups TEXT[] NOT NULL DEFAULT '{}',
  depends_on TEXT[] NOT NULL DEFAULT '{}',
  poll_interval_ms BIGINT NOT NULL,
  state VARCHAR(32) NOT NULL,
  desired_state VARCHAR(32),
  last_seen TIMESTAMPTZ,
  error TEXT,
  registered_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX components_state_idx ON components (state);
CREATE INDEX components_groups_idx ON components USING GIN (groups);
