-- Cluster-mode nodes as they started: address, the key of their liveness lock (see
-- dev.orchestrator.cluster.liveness), roles. A row whose lock is held is a live process; the others
-- are history. Read at start-up so that a restarted node joins the running cluster (its live, Up
-- members) instead of forming a second one, whatever the order of its seed list.
CREATE TABLE IF NOT EXISTS cluster_members (
  address    TEXT PRIMARY KEY,
  lock_key   BIGINT NOT NULL,
  roles      TEXT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- When this process (lock_key) became an Up member; null while it is only starting.
  up_at      TIMESTAMPTZ
);
