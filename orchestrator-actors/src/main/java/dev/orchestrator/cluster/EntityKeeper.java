package dev.orchestrator.cluster;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.sharding.ShardRegion.ClusterShardingStats;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;
import akka.cluster.sharding.ShardRegion.ShardRegionStats;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import akka.persistence.typed.javadsl.ReplyEffect;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the entities of one sharded type that should be running and are not, one keeper per node
 * and type. Such entities are not remembered by sharding (that costs a commit before a new entity's
 * first event and one when it leaves memory); a read side knows which should run ({@link
 * Kept#rows}), and the keeper compares it with where sharding runs entities:
 *
 * <ul>
 *   <li>an entity whose shard runs on no node (its node died, its shard was handed over, the
 *       cluster restarted) is woken at once, wherever sharding then puts it;
 *   <li>an entity whose shard moved since the last check (its node died or left and a message for
 *       another entity of the shard already started the shard elsewhere; a rebalance) is woken at
 *       once too: it stopped with its old node, and nothing else would start it;
 *   <li>an entity of a shard on this node that is not running (it stopped, or the read side had not
 *       seen it yet when its shard was woken) is woken once its row is older than the check
 *       interval (younger rows may lag an entity that has just finished).
 * </ul>
 *
 * A woken entity recovers and carries on where it stood. Checks run every {@code interval}, every
 * second while a check still finds shards that run nowhere after a member left, and from the start
 * until the first one succeeds. Wakes go out in batches of {@code wakeBatch} per 100 ms, and at
 * most {@code wakeWindow} of them wait for their entity's answer (it answers once recovered): a
 * restart with 10,000 entities to wake recovers them as fast as the node can, while an entity that
 * a request starts meanwhile waits for a window of recoveries, not for thousands of them (Akka
 * recovers a few at a time, in order of arrival). Used for commands ({@code CommandKeeper}),
 * components ({@code ComponentKeeper}) and lifecycle runs ({@code LifecycleRunReadSide}).
 */
public final class EntityKeeper<M> {
  /** Messages of the keeper. */
  public interface Message {}

  private enum Check implements Message {
    INSTANCE
  }

  private enum Drain implements Message {
    INSTANCE
  }

  /** A woken entity answered (it recovered), or did not in time: the window has room again. */
  private enum Woken implements Message {
    INSTANCE
  }

  /** A check got no answer in time (a coordinator that stopped while asking its regions). */
  private enum CheckTimedOut implements Message {
    INSTANCE
  }

  private record MemberRemoved(ClusterEvent.MemberRemoved event) implements Message {}

  /**
   * After {@code member} left: read the read side again and wake what it left behind ({@code
   * homes}: where shards ran before it left; {@code woken}: woken already; {@code readsLeft}: this
   * read included).
   */
  private record ReadLeftBehind(
      String member, Map<String, String> homes, Set<String> woken, int readsLeft)
      implements Message {}

  /** The rows read for a {@link ReadLeftBehind}. */
  private record LeftBehind(ReadLeftBehind read, List<Row> rows, Throwable failure)
      implements Message {}

  /** Where shards run, or null when no answer came (see {@link #check}). */
  private record Stats(ClusterShardingStats stats) implements Message {}

  private record Local(CurrentShardRegionState state) implements Message {}

  private record Rows(List<Row> rows, Throwable failure, Map<String, Set<String>> here)
      implements Message {}

  /**
   * One entity the read side says should run.
   *
   * @param id the entity whose shard and presence are checked
   * @param entityToWake the entity to start so that {@code id} goes on (itself, or its parent)
   * @param updatedAt when the read side last changed the row
   */
  public record Row(String id, String entityToWake, Instant updatedAt) {}

  /**
   * What a keeper keeps.
   *
   * @param what the entities, for the log ("unfinished commands")
   * @param typeKey their entity type
   * @param rows reads the entities that should run from the read side
   * @param unfolded reads the entities the journal holds past what the read side has folded, for
   *     the reads after a member's removal (whose projection instances died with it)
   * @param wake the message that starts an entity (its reason is for its log), which it answers
   *     once it has recovered
   */
  public record Kept<M>(
      String what,
      EntityTypeKey<M> typeKey,
      Supplier<CompletionStage<List<Row>>> rows,
      Supplier<CompletionStage<List<Row>>> unfolded,
      BiFunction<String, ActorRef<Done>, M> wake) {
    /** A read side without a look past its offsets. */
    public Kept(
        String what,
        EntityTypeKey<M> typeKey,
        Supplier<CompletionStage<List<Row>>> rows,
        BiFunction<String, ActorRef<Done>, M> wake) {
      this(what, typeKey, rows, () -> CompletableFuture.completedFuture(List.of()), wake);
    }
  }

  /**
   * A keeper's settings (e.g. {@code orchestrator.commands.keeper}).
   *
   * @param interval how often it compares the read side with the running entities
   * @param urgentInterval how often it looks again while shards run nowhere after a member left
   * @param urgentChecks how many checks at {@code urgentInterval} follow a member's removal
   * @param statsTimeout how long the shard regions may take to say which shards they run
   * @param wakeBatch wakes sent per 100 ms
   * @param wakeWindow wakes waiting for their entity's answer at most
   * @param wakeTimeout how long a wake waits for its answer before it leaves the window anyway
   */
  public record Settings(
      Duration interval,
      Duration urgentInterval,
      int urgentChecks,
      Duration statsTimeout,
      int wakeBatch,
      int wakeWindow,
      Duration wakeTimeout) {
    public static Settings of(ActorSystem<?> system, String path) {
      Config c = system.settings().config().getConfig(path);
      return new Settings(
          c.getDuration("interval"),
          c.getDuration("urgent-interval"),
          c.getInt("urgent-checks"),
          c.getDuration("stats-timeout"),
          c.getInt("wake-batch"),
          c.getInt("wake-window"),
          c.getDuration("wake-timeout"));
    }
  }

  /** For what happens on a future's thread, where the actor's context must not be used. */
  private static final Logger LOG = LoggerFactory.getLogger(EntityKeeper.class);

  private static final Duration DRAIN_EVERY = Duration.ofMillis(100);

  /** How much longer than the coordinator's own bound the keeper waits for the shards' homes. */
  private static final Duration STATS_GRACE = Duration.ofSeconds(1);

  private final ActorContext<Message> context;
  private final TimerScheduler<Message> timers;
  private final Settings settings;
  private final Kept<M> kept;
  private final ClusterSharding sharding;
  private final int numberOfShards;

  /** This node's address, as {@code homes} names members. */
  private final String self;

  private final ArrayDeque<String> toWake = new ArrayDeque<>();
  private final Set<String> queued = new HashSet<>();

  /** Wakes sent whose entity has not answered yet (nor timed out). */
  private int awaited;

  private boolean checking;
  private boolean succeededOnce;
  private int urgentLeft;

  /** The shards running on some node at the last check; null when that was unknown. */
  private Set<String> liveShards;

  /** Where each shard ran at the last check whose stats answered, by region address. */
  private Map<String, String> homes = Map.of();

  /** Where each shard runs according to the check under way; null when that is unknown. */
  private Map<String, String> newHomes;

  private EntityKeeper(
      ActorContext<Message> context,
      TimerScheduler<Message> timers,
      Settings settings,
      Kept<M> kept) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.kept = kept;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.numberOfShards =
        context.getSystem().settings().config().getInt("akka.cluster.sharding.number-of-shards");
    this.self = Cluster.get(context.getSystem()).selfMember().address().toString();
  }

  public static <M> Behavior<Message> create(Settings settings, Kept<M> kept) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  context.setLoggerName(EntityKeeper.class);
                  EntityKeeper<M> keeper = new EntityKeeper<>(context, timers, settings, kept);
                  Cluster.get(context.getSystem())
                      .subscriptions()
                      .tell(
                          Subscribe.create(
                              context.messageAdapter(
                                  ClusterEvent.MemberRemoved.class, MemberRemoved::new),
                              ClusterEvent.MemberRemoved.class));
                  timers.startSingleTimer(Check.INSTANCE, settings.urgentInterval());
                  return keeper.behavior();
                }));
  }

  /** The shard of an entity id, as sharding's default message extractor computes it. */
  public static String shardOf(String entityId, int numberOfShards) {
    return String.valueOf(Math.abs(entityId.hashCode() % numberOfShards));
  }

  private Behavior<Message> behavior() {
    return Behaviors.receive(Message.class)
        .onMessageEquals(Check.INSTANCE, this::check)
        .onMessage(MemberRemoved.class, this::memberRemoved)
        .onMessage(ReadLeftBehind.class, this::readLeftBehind)
        .onMessage(LeftBehind.class, this::leftBehind)
        .onMessage(Stats.class, this::stats)
        .onMessage(Local.class, this::local)
        .onMessage(Rows.class, this::rows)
        .onMessageEquals(Drain.INSTANCE, this::drain)
        .onMessageEquals(Woken.INSTANCE, this::woken)
        .onMessageEquals(CheckTimedOut.INSTANCE, this::checkTimedOut)
        .build();
  }

  /**
   * A member left (or was downed and removed): the entities of the shards it may have run are woken
   * as soon as the read side is read, without waiting for a check, whose ask for the shards' homes
   * gets no answer while it goes to a coordinator that died with that member. Those are the shards
   * it ran at the last check and those no check has seen yet (started since). The read side is read
   * again every {@code urgentInterval}, {@code urgentChecks} times in all: an entity started just
   * before the member died may reach it only after the projection that died with the member has
   * started elsewhere.
   */
  private Behavior<Message> memberRemoved(MemberRemoved removed) {
    String member = removed.event().member().address().toString();
    if (member.equals(self)) {
      return Behaviors.same();
    }
    urgentLeft = settings.urgentChecks();
    context
        .getSelf()
        .tell(new ReadLeftBehind(member, homes, Set.of(), Math.max(1, settings.urgentChecks())));
    return check();
  }

  /** Reads the read side and what the journal holds past it: see {@link Kept#unfolded}. */
  private Behavior<Message> readLeftBehind(ReadLeftBehind read) {
    context.pipeToSelf(
        kept.rows()
            .get()
            .thenCombine(
                kept.unfolded()
                    .get()
                    .exceptionally(
                        failure -> {
                          // The table alone still wakes them, later: worth a warning, not a stop.
                          LOG.warn(
                              "Cannot look past the read side of the {}", kept.what(), failure);
                          return List.of();
                        }),
                (rows, unfolded) -> {
                  List<Row> all = new ArrayList<>(rows);
                  all.addAll(unfolded);
                  return all;
                }),
        (rows, failure) -> new LeftBehind(read, rows, failure));
    return Behaviors.same();
  }

  private Behavior<Message> leftBehind(LeftBehind left) {
    ReadLeftBehind read = left.read();
    Set<String> woken = new HashSet<>(read.woken());
    if (left.failure() != null) {
      context.getLog().warn("Cannot read the {}: {}", kept.what(), left.failure().getMessage());
    } else {
      List<String> wake =
          leftBehind(left.rows(), read.homes(), read.member(), self, numberOfShards).stream()
              .filter(woken::add)
              .toList();
      wake.forEach(this::wake);
      if (!wake.isEmpty()) {
        context
            .getLog()
            .info(
                "Waking {} {} whose shard ran on {}, which left the cluster",
                wake.size(),
                kept.what(),
                read.member());
      }
    }
    if (read.readsLeft() > 1) {
      timers.startSingleTimer(
          "left:" + read.member(),
          new ReadLeftBehind(read.member(), read.homes(), woken, read.readsLeft() - 1),
          settings.urgentInterval());
    }
    return Behaviors.same();
  }

  /**
   * The entities to wake for the rows whose shard ran on {@code member} at the last check, or that
   * no check has seen ({@code homes} has no home for it); none when the member that left is this
   * node ({@code self}): its keeper stops with it, and the survivors' keepers wake its entities.
   */
  static List<String> leftBehind(
      List<Row> rows, Map<String, String> homes, String member, String self, int numberOfShards) {
    if (member.equals(self)) {
      return List.of();
    }
    return rows.stream()
        .filter(
            row -> {
              String home = homes.get(shardOf(row.id(), numberOfShards));
              return home == null || home.equals(member);
            })
        .map(Row::entityToWake)
        .toList();
  }

  /** Step 1: which shards run anywhere in the cluster. */
  private Behavior<Message> check() {
    if (checking) {
      return Behaviors.same();
    }
    checking = true;
    // The stats ask, the local state and the read are each bounded; this only frees the keeper
    // if one of their answers is lost, so that it does not stop checking.
    timers.startSingleTimer(CheckTimedOut.INSTANCE, settings.statsTimeout().multipliedBy(3));
    // The coordinator bounds its questions to the regions by statsTimeout, but a region forwards
    // the question to the coordinator it knows, which may have died with its node and never
    // answers: so this ask has a deadline of its own, and no answer means "unknown".
    context.ask(
        ClusterShardingStats.class,
        sharding.shardState(),
        settings.statsTimeout().plus(STATS_GRACE),
        replyTo -> new GetClusterShardingStats(kept.typeKey(), settings.statsTimeout(), replyTo),
        (stats, failure) -> new Stats(stats));
    return Behaviors.same();
  }

  private Behavior<Message> stats(Stats stats) {
    Map<?, ShardRegionStats> regions =
        stats.stats() == null ? Map.of() : stats.stats().getRegions();
    if (regions.isEmpty()) {
      // No region answered (no coordinator yet, or the ask timed out): where shards run is
      // unknown, which is not the same as nowhere.
      liveShards = null;
      newHomes = null;
    } else {
      Set<String> shards = new HashSet<>();
      Map<String, String> where = new HashMap<>();
      regions.forEach(
          (address, region) -> {
            shards.addAll(region.getStats().keySet());
            shards.addAll(region.getFailed());
            region.getStats().keySet().forEach(shard -> where.put(shard, address.toString()));
          });
      liveShards = shards;
      newHomes = where;
    }
    sharding
        .shardState()
        .tell(
            new GetShardRegionState(
                kept.typeKey(), context.messageAdapter(CurrentShardRegionState.class, Local::new)));
    return Behaviors.same();
  }

  /** Step 2: which entities run here; then step 3: what the read side says should run. */
  private Behavior<Message> local(Local local) {
    Map<String, Set<String>> here = new HashMap<>();
    local.state().getShards().forEach(shard -> here.put(shard.shardId(), shard.getEntityIds()));
    context.pipeToSelf(kept.rows().get(), (rows, failure) -> new Rows(rows, failure, here));
    return Behaviors.same();
  }

  /** Step 4: wake what runs nowhere, and what should run here and does not. */
  private Behavior<Message> rows(Rows rows) {
    checking = false;
    timers.cancel(CheckTimedOut.INSTANCE);
    if (rows.failure() != null) {
      context.getLog().warn("Cannot read the {}: {}", kept.what(), rows.failure().getMessage());
      armNext(true);
      return Behaviors.same();
    }
    Set<String> moved = newHomes == null ? Set.of() : moved(homes, newHomes);
    if (newHomes != null) {
      homes = newHomes;
    }
    Wakes wakes =
        decide(
            rows.rows(),
            numberOfShards,
            liveShards,
            moved,
            rows.here(),
            Instant.now().minus(settings.interval()));
    wakes.orphans().forEach(this::wake);
    wakes.moved().forEach(this::wake);
    wakes.stopped().forEach(this::wake);
    context
        .getLog()
        .debug(
            "Keeper check: {} {}, live shards {}, here {}",
            rows.rows().size(),
            kept.what(),
            liveShards == null ? "unknown" : liveShards.size(),
            rows.here().size());
    if (!wakes.isEmpty()) {
      context
          .getLog()
          .info(
              "Waking {} {} whose shard runs nowhere, {} whose shard moved and {} whose entity"
                  + " stopped",
              wakes.orphans().size(),
              kept.what(),
              wakes.moved().size(),
              wakes.stopped().size());
    }
    succeededOnce |= liveShards != null;
    armNext(!wakes.orphans().isEmpty() || liveShards == null);
    return Behaviors.same();
  }

  /** The entities (to wake) a check wakes, by why. */
  record Wakes(List<String> orphans, List<String> moved, List<String> stopped) {
    boolean isEmpty() {
      return orphans.isEmpty() && moved.isEmpty() && stopped.isEmpty();
    }
  }

  /** The shards whose region at the last check is not their region now (another one, or none). */
  static Set<String> moved(Map<String, String> before, Map<String, String> now) {
    Set<String> moved = new HashSet<>();
    before.forEach(
        (shard, home) -> {
          if (!home.equals(now.get(shard))) {
            moved.add(shard);
          }
        });
    return moved;
  }

  /**
   * What a check wakes: the rows whose shard runs nowhere ({@code liveShards} null: unknown, then
   * none), whose shard {@code moved}, and those of shards here whose entity is not running and
   * whose row changed before {@code staleBefore} (a younger row may lag an entity that has just
   * finished).
   */
  static Wakes decide(
      List<Row> rows,
      int numberOfShards,
      Set<String> liveShards,
      Set<String> moved,
      Map<String, Set<String>> here,
      Instant staleBefore) {
    List<String> orphans = new ArrayList<>();
    List<String> movedRows = new ArrayList<>();
    List<String> stopped = new ArrayList<>();
    for (Row row : rows) {
      String shard = shardOf(row.id(), numberOfShards);
      Set<String> running = here.get(shard);
      boolean runsHere = running != null && running.contains(row.id());
      if (liveShards != null && !liveShards.contains(shard)) {
        orphans.add(row.entityToWake());
      } else if (!runsHere && moved.contains(shard)) {
        movedRows.add(row.entityToWake());
      } else if (running != null && !runsHere && row.updatedAt().isBefore(staleBefore)) {
        stopped.add(row.entityToWake());
      }
    }
    return new Wakes(orphans, movedRows, stopped);
  }

  private Behavior<Message> checkTimedOut() {
    context.getLog().warn("A check of the {} got no answer; checking again", kept.what());
    checking = false;
    armNext(true);
    return Behaviors.same();
  }

  private Behavior<Message> drain() {
    for (int i = 0;
        i < settings.wakeBatch() && awaited < settings.wakeWindow() && !toWake.isEmpty();
        i++) {
      String id = toWake.poll();
      queued.remove(id);
      awaited++;
      context.ask(
          Done.class,
          sharding.entityRefFor(kept.typeKey(), id),
          settings.wakeTimeout(),
          replyTo -> kept.wake().apply("keeper", replyTo),
          (done, failure) -> Woken.INSTANCE);
    }
    // A full window resumes on the next answer (woken); otherwise in 100 ms.
    if (!toWake.isEmpty() && awaited < settings.wakeWindow()) {
      timers.startSingleTimer(Drain.INSTANCE, DRAIN_EVERY);
    }
    return Behaviors.same();
  }

  /**
   * How a kept entity handles its wake, once recovered (commands reach it only then): it answers,
   * which frees the wake's place in the keeper's window, then does {@code effect}.
   */
  public static <E, S> ReplyEffect<E, S> answerWake(
      ActorRef<Done> replyTo, ReplyEffect<E, S> effect) {
    replyTo.tell(Done.getInstance());
    return effect;
  }

  private Behavior<Message> woken() {
    awaited--;
    if (!toWake.isEmpty() && !timers.isTimerActive(Drain.INSTANCE)) {
      return drain();
    }
    return Behaviors.same();
  }

  private void wake(String id) {
    if (queued.add(id)) {
      toWake.add(id);
      if (!timers.isTimerActive(Drain.INSTANCE)) {
        context.getSelf().tell(Drain.INSTANCE);
      }
    }
  }

  private void armNext(boolean orphansFound) {
    Duration next = settings.interval();
    if (!succeededOnce || (orphansFound && urgentLeft > 0)) {
      next = settings.urgentInterval();
    }
    if (urgentLeft > 0) {
      urgentLeft--;
    }
    timers.startSingleTimer(Check.INSTANCE, next);
  }
}
