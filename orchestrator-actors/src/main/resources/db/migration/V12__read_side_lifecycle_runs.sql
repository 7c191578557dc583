-- Lifecycle runs and whether they have finished, folded from LifecycleRunEntity events by a
-- projection: the LifecycleRunKeeper starts the RUNNING ones that no node runs (runs are not
-- remembered by sharding).
CREATE TABLE lifecycle_runs (
  id VARCHAR(64) PRIMARY KEY,
  status VARCHAR(16) NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX lifecycle_runs_running_idx ON lifecycle_runs (id) WHERE status = 'RUNNING';
