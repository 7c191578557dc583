-- Leases of dev.orchestrator.lease.PostgresLease (the cluster singleton's, the split brain
-- resolver's). owner is null while the lease is free. epoch grows by one at every change of owner
-- and is the fencing epoch of the singleton's lease. owner_key is the key of the owner node's
-- liveness advisory lock (pg_advisory_lock(<member longUid>)), recorded only when that lock was
-- seen held at acquisition: once it is free, the owner process is dead and the lease may be taken.
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  owner       TEXT,
  owner_key   BIGINT,
  epoch       BIGINT      NOT NULL,
  acquired_at TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL
);
