-- Operator failover drills (POST /api/v1/drills): one row a drill, its report as a JSON document
-- rewritten by the drill's coordinator at each stage, so that it outlives the coordinator's node.
CREATE TABLE drills (
  id VARCHAR(64) COLLATE "C" PRIMARY KEY,
  type VARCHAR(32) NOT NULL,
  target TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  report JSONB NOT NULL
);

-- At most one drill runs in the whole cluster: a second insert while one is RUNNING fails.
CREATE UNIQUE INDEX drills_one_running_idx ON drills ((true)) WHERE status = 'RUNNING';
-- GET /api/v1/drills, newest first.
CREATE INDEX drills_started_idx ON drills (started_at DESC, id DESC);
