package dev.orchestrator.bench.commands;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * db-scheduler 16.x on its own database of the same PostgreSQL, tuned for throughput: immediate
 * execution, lock-and-fetch polling (select ... for update skip locked), a short polling interval
 * and a thread count for 2 cores. The task does nothing; the bench records, in the same JVM, when
 * each execution starts and ends (in {@code execute}) and when its completion was written to the
 * table ({@code onExecutionComplete}, called after the row is deleted).
 */
final class DbSchedulerBench implements AutoCloseable {
  static final String DATABASE = "bench_dbscheduler";

  /** The PostgreSQL DDL of db-scheduler 16.x (its docs' postgresql_tables.sql). */
  static final String[] DDL = {
    """
    create table scheduled_tasks (
      task_name text not null,
      task_instance text not null,
      task_data bytea,
      execution_time timestamp with time zone not null,
      picked BOOLEAN not null,
      picked_by text,
      last_success timestamp with time zone,
      last_failure timestamp with time zone,
      consecutive_failures INT,
      last_heartbeat timestamp with time zone,
      version BIGINT not null,
      priority SMALLINT,
      PRIMARY KEY (task_name, task_instance)
    )""",
    "CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)",
    "CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)",
    "CREATE INDEX priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc)",
  };

  /** What one phase's executions did, by the index in their instance id ("phase-index"). */
  static final class Phase {
    final int n;
    final long[] startNs;
    final long[] executedMs;
    final long[] persistedMs;
    final long[] persistedNs;
    final AtomicInteger executed = new AtomicInteger();
    final CountDownLatch persisted;

    Phase(int n) {
      this.n = n;
      startNs = new long[n];
      executedMs = new long[n];
      persistedMs = new long[n];
      persistedNs = new long[n];
      persisted = new CountDownLatch(n);
    }
  }

  private final Map<String, Phase> phases = new ConcurrentHashMap<>();
  private final HikariDataSource dataSource;
  private final OneTimeTask<Void> task;
  private final Scheduler scheduler;
  private final long completeTimeoutMs;
  final String describe;

  DbSchedulerBench(Database db, int threads, int pollMs, double lower, double upper, int clients, long completeTimeoutMs)
      throws SQLException {
    this.completeTimeoutMs = completeTimeoutMs;
    try (Connection c = db.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + DATABASE);
      s.execute("CREATE DATABASE " + DATABASE);
    }
    try (Connection c = db.connect(DATABASE);
        Statement s = c.createStatement()) {
      for (String ddl : DDL) {
        s.execute(ddl);
      }
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(db.jdbcUrl(DATABASE));
    hc.setUsername(Database.USER);
    hc.setPassword("");
    // One per executor thread (each completes its execution), the submitters, polling, heartbeats.
    hc.setMaximumPoolSize(threads + clients + 4);
    hc.setMinimumIdle(threads + clients + 4);
    hc.setPoolName("db-scheduler");
    dataSource = new HikariDataSource(hc);

    task =
        Tasks.oneTime("bench-noop")
            .execute(
                (instance, ctx) -> {
                  long ns = System.nanoTime();
                  Phase p = phaseOf(instance.getId());
                  if (p != null) {
                    int i = indexOf(instance.getId());
                    p.startNs[i] = ns;
                    // "completed" as the task sees it: the noop is done.
                    p.executedMs[i] = System.currentTimeMillis();
                    p.executed.incrementAndGet();
                  }
                });
    scheduler =
        Scheduler.create(dataSource, task)
            .threads(threads)
            .pollingInterval(Duration.ofMillis(pollMs))
            .enableImmediateExecution()
            .pollUsingLockAndFetch(lower, upper)
            .shutdownMaxWait(Duration.ofSeconds(5))
            .addSchedulerListener(
                new AbstractSchedulerListener() {
                  @Override
                  public void onExecutionComplete(ExecutionComplete complete) {
                    long ns = System.nanoTime();
                    String id = complete.getExecution().taskInstance.getId();
                    Phase p = phaseOf(id);
                    if (p != null) {
                      int i = indexOf(id);
                      p.persistedNs[i] = ns;
                      p.persistedMs[i] = System.currentTimeMillis();
                      p.persisted.countDown();
                    }
                  }
                })
            .build();
    describe =
        String.format(
            java.util.Locale.ROOT,
            "threads=%d, pollingInterval=%d ms, enableImmediateExecution, pollUsingLockAndFetch(%.2f, %.2f), HikariCP %d connections",
            threads, pollMs, lower, upper, threads + clients + 4);
    scheduler.start();
  }

  private Phase phaseOf(String id) {
    int dash = id.lastIndexOf('-');
    return dash < 0 ? null : phases.get(id.substring(0, dash));
  }

  private static int indexOf(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
  }

  /**
   * Schedules {@code n} one-time noop tasks due now from {@code clients} threads (each schedule is
   * its own committed INSERT), then waits until all were executed and their completions written.
   * Throughput = n / (first schedule → last execute(), System.currentTimeMillis()).
   */
  Results.Burst burst(String phase, int n, int clients) throws InterruptedException {
    Phase p = new Phase(n);
    phases.put(phase, p);
    long[] sendMs = new long[n];
    long[] ackMs = new long[n];
    double[] ackLatency = new double[n];
    boolean[] ok = new boolean[n];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<String> samples = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(clients, OrchestratorBench.daemon("ds-client"));
    for (int c = 0; c < clients; c++) {
      pool.execute(
          () -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
              sendMs[i] = System.currentTimeMillis();
              long t0 = System.nanoTime();
              try {
                scheduler.schedule(task.instance(phase + "-" + i), Instant.now());
                ackLatency[i] = (System.nanoTime() - t0) / 1e6;
                ackMs[i] = System.currentTimeMillis();
                ok[i] = true;
              } catch (RuntimeException e) {
                errors.incrementAndGet();
                if (samples.size() < 5) {
                  samples.add(e.toString());
                }
              }
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(completeTimeoutMs, TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
      System.out.println("  schedules did not finish in time; stopped them");
    }
    Results.Burst b = new Results.Burst();
    b.n = n;
    b.errors = errors.get();
    b.errorSamples.addAll(samples);
    double[] lat = new double[n];
    long first = Long.MAX_VALUE;
    long lastAck = 0;
    int acked = 0;
    for (int i = 0; i < n; i++) {
      if (sendMs[i] > 0) {
        first = Math.min(first, sendMs[i]);
      }
      if (ok[i]) {
        lat[acked++] = ackLatency[i];
        lastAck = Math.max(lastAck, ackMs[i]);
      }
    }
    b.acked = acked;
    b.firstSubmitMs = first == Long.MAX_VALUE ? 0 : first;
    b.lastAckMs = lastAck;
    b.ackLatency = Stats.of(lat, acked);
    System.out.printf(
        "  %s: %d scheduled (%d errors) in %.2f s; waiting for the executions%n",
        phase, acked, b.errors, (lastAck - b.firstSubmitMs) / 1000.0);
    awaitPersisted(p, acked, phase);
    long lastExec = 0;
    long lastPersisted = 0;
    int done = 0;
    for (int i = 0; i < n; i++) {
      if (p.persistedMs[i] > 0) {
        done++;
        lastPersisted = Math.max(lastPersisted, p.persistedMs[i]);
      }
      lastExec = Math.max(lastExec, p.executedMs[i]);
    }
    b.done = done;
    b.lastDoneMs = lastExec;
    b.lastCompletionPersistedMs = lastPersisted;
    phases.remove(phase);
    return b;
  }

  /**
   * Open loop: a timer thread fires {@code rate} schedules per second for {@code seconds}; each
   * schedule call runs on a thread of its own pool so that a slow one delays none after it. Latencies
   * from the planned fire time, measured with System.nanoTime() in this JVM.
   */
  Results.Paced paced(int rate, int seconds) throws InterruptedException {
    int planned = rate * seconds;
    Phase p = new Phase(planned);
    phases.put("paced", p);
    long[] sendNs = new long[planned];
    double[] lag = new double[planned];
    double[] ackLatency = new double[planned];
    boolean[] ok = new boolean[planned];
    AtomicInteger errors = new AtomicInteger();
    List<String> samples = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch answered = new CountDownLatch(planned);
    ExecutorService submitters = Executors.newCachedThreadPool(OrchestratorBench.daemon("ds-paced"));
    long t0 = System.nanoTime() + 200_000_000L;
    int sent = 0;
    for (int i = 0; i < planned; i++) {
      long target = t0 + (long) i * 1_000_000_000L / rate;
      Machine.parkUntil(target);
      long ns = System.nanoTime();
      sendNs[i] = target; // the planned fire time: a late timer cannot hide latency
      lag[i] = (ns - target) / 1e6;
      final int idx = i;
      submitters.execute(
          () -> {
            try {
              scheduler.schedule(task.instance("paced-" + idx), Instant.now());
              ackLatency[idx] = (System.nanoTime() - sendNs[idx]) / 1e6;
              ok[idx] = true;
            } catch (RuntimeException e) {
              errors.incrementAndGet();
              if (samples.size() < 5) {
                samples.add(e.toString());
              }
            } finally {
              answered.countDown();
            }
          });
      sent++;
    }
    if (!answered.await(60, TimeUnit.SECONDS)) {
      System.out.println("  paced: some schedules did not return in time");
    }
    submitters.shutdown();
    Results.Paced r = new Results.Paced();
    r.planned = planned;
    r.sent = sent;
    r.errors = errors.get();
    r.errorSamples.addAll(samples);
    r.timerLag = Stats.of(lag, sent);
    int acked = 0;
    double[] ack = new double[planned];
    for (int i = 0; i < planned; i++) {
      if (ok[i]) {
        ack[acked++] = ackLatency[i];
      }
    }
    r.acked = acked;
    r.ackLatency = Stats.of(ack, acked);
    System.out.printf("  paced: %d scheduled (%d errors); waiting for the executions%n", acked, r.errors);
    awaitPersisted(p, acked, "paced");
    double[] toStart = new double[planned];
    double[] toDone = new double[planned];
    int started = 0;
    int done = 0;
    for (int i = 0; i < planned; i++) {
      if (p.startNs[i] > 0) {
        toStart[started++] = (p.startNs[i] - sendNs[i]) / 1e6;
      }
      if (p.persistedNs[i] > 0) {
        toDone[done++] = (p.persistedNs[i] - sendNs[i]) / 1e6;
      }
    }
    r.started = started;
    r.completed = done;
    r.submitToStart = Stats.of(toStart, started);
    r.startSource = "execute() entered - planned send time (System.nanoTime, same JVM)";
    r.submitToComplete = Stats.of(toDone, done);
    r.completeSource = "onExecutionComplete (row deleted) - planned send time (System.nanoTime, same JVM)";
    phases.remove("paced");
    return r;
  }

  private void awaitPersisted(Phase p, int expected, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + completeTimeoutMs;
    long lastReport = System.currentTimeMillis();
    while (true) {
      long done = p.n - p.persisted.getCount();
      if (done >= expected) {
        return;
      }
      long now = System.currentTimeMillis();
      if (now > deadline) {
        System.out.printf("  %s: gave up after %d s: %d of %d completed%n", what, completeTimeoutMs / 1000, done, expected);
        return;
      }
      if (now - lastReport >= 10_000) {
        System.out.printf("  %s: %d of %d completed so far%n", what, done, expected);
        lastReport = now;
      }
      p.persisted.await(200, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    try {
      scheduler.stop();
    } catch (RuntimeException e) {
      System.err.println("stopping db-scheduler: " + e);
    }
    dataSource.close();
  }
}
