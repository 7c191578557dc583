-- Query tables for the scenario engine, folded from ScenarioEntity and ScenarioRunEntity events by
-- projections: GET /api/v1/scenarios and /api/v1/runs, and the `run` condition leaf.
CREATE TABLE scenarios (
  name VARCHAR(64) COLLATE "C" PRIMARY KEY,
  version BIGINT NOT NULL,
  source VARCHAR(16) NOT NULL,
  enabled BOOLEAN NOT NULL,
  blocked BOOLEAN NOT NULL DEFAULT false,
  priority INT NOT NULL,
  trigger_type VARCHAR(16) NOT NULL,
  definition JSONB NOT NULL,
  runs BIGINT NOT NULL DEFAULT 0,
  running INT NOT NULL DEFAULT 0,
  last_started_at TIMESTAMPTZ,
  last_ended_at TIMESTAMPTZ,
  last_result VARCHAR(16),
  updated_at TIMESTAMPTZ NOT NULL,
  seq_nr BIGINT NOT NULL
);

CREATE INDEX scenarios_trigger_priority_idx ON scenarios (trigger_type, priority, name);

CREATE TABLE scenario_runs (
  id VARCHAR(64) COLLATE "C" PRIMARY KEY,
  scenario VARCHAR(64) COLLATE "C" NOT NULL,
  status VARCHAR(16) NOT NULL,
  trigger_type VARCHAR(16) NOT NULL,
  parent_run_id VARCHAR(64),
  steps_done INT NOT NULL DEFAULT 0,
  error TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL,
  seq_nr BIGINT NOT NULL
);

-- ?scenario=s newest first; the latest run of a scenario (the `run` condition leaf).
CREATE INDEX scenario_runs_scenario_created_idx ON scenario_runs (scenario, created_at DESC);
-- ?status=s newest first; the number of runs under way.
CREATE INDEX scenario_runs_status_created_idx ON scenario_runs (status, created_at DESC);

-- Since when a component has been in its state, for `component: {state, for}` conditions.
ALTER TABLE components ADD COLUMN state_since TIMESTAMPTZ;
