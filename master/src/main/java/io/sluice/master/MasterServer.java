package io.sluice.master;

import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.ServerMetrics;
import io.sluice.common.rpc.RpcLimits;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.master.journal.MasterJournal;
import io.sluice.master.journal.MasterStateMachine;
import io.sluice.master.decommission.BlockSources;
import io.sluice.master.decommission.Decommissioner;
import io.sluice.master.metrics.MasterMetrics;
import io.sluice.master.metrics.MasterStatusSource;
import io.sluice.master.job.LoadJobs;
import io.sluice.master.ttl.TtlEnforcer;
import io.sluice.master.version.PendingVersionSweeper;
import io.sluice.master.mount.MountService;
import io.sluice.ufs.UfsRegistry;
import io.sluice.master.namespace.AllocatedBlocks;
import io.sluice.master.namespace.InodeIdAllocator;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.NamespaceApplier;
import io.sluice.master.rpc.MasterRpcHandler;
import io.sluice.master.security.CallerResolver;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.WorkerRegistry;
import io.sluice.master.namespace.KeptFiles;
import io.sluice.master.store.StoreSnapshot;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master process's services, wired from configuration ({@link MasterKeys}): the metrics and their HTTP port,
 * the namespace store ({@code <dir>/metastore}), the journal ({@code <dir>/journal}, Ratis), the worker registry and
 * the RPC server, and the housekeeping (lost workers, expired pending block versions, decommission drains).
 * {@link #start()} opens them in that order and returns once this master leads and serves; {@link #close()} stops
 * them in reverse and frees RocksDB. The CLI launches it; it has no {@code main}.
 */
public final class MasterServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MasterServer.class);

  private final SluiceConf conf;
  private final Clock clock;
  private ServerMetrics metrics;
  private NamespaceStore store;
  private MasterJournal journal;
  private ThreadPoolExecutor rpcExecutor;
  private MountService mounts;
  private LoadJobs loads;
  private TtlEnforcer ttls;
  private ScheduledExecutorService housekeeping;
  private RpcServer rpcServer;
  private WorkerRegistry registry;
  private String advertisedHost;

  public MasterServer(SluiceConf conf) {
    this(conf, Clock.systemUTC());
  }

  /** @param clock the time for journal timestamps and worker heartbeats (tests pass a fake one) */
  public MasterServer(SluiceConf conf, Clock clock) {
    this.conf = conf;
    this.clock = clock;
  }

  /**
   * Opens the store, starts the journal and waits for leadership and log replay, then serves RPC.
   *
   * @throws IOException when any part cannot start; what had started is stopped again
   */
  public MasterServer start() throws IOException {
    try {
      String host = conf.get(MasterKeys.HOST);
      String bindHost = host.isEmpty() ? "0.0.0.0" : host;
      advertisedHost = host.isEmpty() ? InetAddress.getLocalHost().getHostName() : host;
      // First, so a master replaying a long log can already be watched.
      metrics = ServerMetrics.start("master", new InetSocketAddress(bindHost, conf.get(MasterKeys.HTTP_PORT)));
      Path dir = Path.of(conf.get(MasterKeys.DIR));
      String superuser = System.getProperty("user.name");
      store = NamespaceStore.open(dir.resolve("metastore"), superuser);
      startJournal(dir.resolve("journal"), bindHost);
      Duration workerTimeout = conf.get(MasterKeys.WORKER_TIMEOUT);
      Duration pendingExpiry = conf.get(MasterKeys.BLOCK_VERSION_PENDING_EXPIRY);
      registry = new WorkerRegistry(clock, workerTimeout, b -> AllocatedBlocks.isAllocated(store.reader(), b,
          clock.millis() - pendingExpiry.toMillis()));
      registry.keepBlocks(blocks -> {
        try (StoreSnapshot snap = store.snapshot()) {
          return new KeptFiles(snap).keep(blocks);
        }
      });
      new MasterMetrics(store, journal, registry).bindTo(metrics.registry());
      LeaderContext ctx = new LeaderContext(store, new InodeIdAllocator(store::nextInodeId), clock,
          conf.get(MasterKeys.DEFAULT_BLOCK_SIZE));
      mounts = new MountService(ctx, journal, UfsRegistry.load(), conf.get(MasterKeys.MOUNT_SYNC_INTERVAL),
          registry::removeBlocks);
      int threads = conf.get(MasterKeys.RPC_THREADS);
      // Bounded: under overload callers get UNAVAILABLE instead of the master queueing without limit.
      rpcExecutor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(10_000), daemonThreads("master-rpc"));
      int rpcPort = conf.get(MasterKeys.RPC_PORT);
      BlockPlacement placement = new BlockPlacement(new SplittableRandom());
      loads = new LoadJobs(store, journal, mounts, registry, placement, clock);
      Decommissioner decommissioner = new Decommissioner(registry, placement,
          new BlockSources(store::reader)::lookup, clock, conf.get(MasterKeys.DECOMMISSION_COPIES_PER_WORKER),
          conf.get(MasterKeys.DECOMMISSION_COPY_TIMEOUT));
      ttls = new TtlEnforcer(ctx, journal, mounts, registry, conf.get(MasterKeys.TTL_CHECK_INTERVAL),
          metrics.registry());
      MasterStatusSource status = new MasterStatusSource(journal, store, registry, mounts, loads,
          this::advertisedAddress);
      MasterRpcHandler handler = new MasterRpcHandler(store, journal, ctx, registry, placement, rpcExecutor,
          this::advertisedAddress,
          conf.get(MasterKeys.RETRY_EXPIRY), CallerResolver.create(superuser, conf, clock), mounts, loads, status,
          decommissioner, conf.get(MasterKeys.RPC_INLINE_READS), conf.get(MasterKeys.CLOSE_WAIT));
      rpcServer = new RpcServer("master", new InetSocketAddress(bindHost, rpcPort), handler, RpcOptions.from(conf),
          RpcLimits.from(conf), metrics.rpcObserver()).start();
      metrics.serveStatus("Sluice master", status);
      housekeeping = Executors.newSingleThreadScheduledExecutor(daemonThreads("master-housekeeping"));
      long sweepMs = Math.max(100, workerTimeout.toMillis() / 2);
      housekeeping.scheduleWithFixedDelay(registry::expireLost, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
      PendingVersionSweeper versions = new PendingVersionSweeper(store, journal, registry, clock, pendingExpiry);
      long versionMs = PendingVersionSweeper.interval(pendingExpiry).toMillis();
      housekeeping.scheduleWithFixedDelay(versions::sweepQuietly, versionMs, versionMs, TimeUnit.MILLISECONDS);
      long drainMs = Math.max(10, conf.get(MasterKeys.DECOMMISSION_INTERVAL).toMillis());
      housekeeping.scheduleWithFixedDelay(decommissioner::runQuietly, drainMs, drainMs, TimeUnit.MILLISECONDS);
      LOG.info("master serving on {} (advertised {})", rpcServer.address(), advertisedAddress());
      return this;
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startJournal(Path journalDir, String bindHost) throws IOException {
    int configuredPort = conf.get(MasterKeys.RAFT_PORT);
    List<RaftPeer> peers = MasterPeers.fromConf(conf);
    RaftPeer self;
    if (peers.isEmpty()) {
      int raftPort = configuredPort == 0 ? freePort() : configuredPort;
      // The id comes from the configured address, not the picked port, so a restarted test master keeps its id.
      self = RaftPeer.newBuilder().setId(MasterJournal.peerId(advertisedHost, configuredPort))
          .setAddress(advertisedHost + ":" + raftPort).build();
      peers = List.of(self);
    } else {
      self = MasterPeers.self(peers, advertisedHost, configuredPort);
    }
    journal = new MasterJournal(journalDir, self, peers, new MasterStateMachine(new NamespaceApplier(store), store),
        new MasterJournal.Settings(conf.get(MasterKeys.SNAPSHOT_ENTRIES), conf.get(MasterKeys.JOURNAL_SEGMENT_SIZE),
            conf.get(MasterKeys.ELECTION_TIMEOUT), conf.get(MasterKeys.JOURNAL_SYNC)));
    journal.start(bindHost, conf.get(MasterKeys.STARTUP_TIMEOUT));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The address the RPC server is bound to (its port is the real one when configured as 0). */
  public InetSocketAddress rpcAddress() {
    return rpcServer.address();
  }

  /** {@code host:port} clients and workers should use for this master. */
  public String advertisedAddress() {
    return advertisedHost + ":" + rpcServer.address().getPort();
  }

  /** The address of the HTTP service ({@code /metrics}, {@code /api/status}), or empty when its port was taken. */
  public Optional<InetSocketAddress> httpAddress() {
    return metrics.httpAddress();
  }

  WorkerRegistry registry() {
    return registry;
  }

  MasterJournal journal() {
    return journal;
  }

  NamespaceStore store() {
    return store;
  }

  /** Stops serving, then the journal, then frees the store. Safe to call on a partly started server. */
  @Override
  public void close() {
    if (metrics != null) {
      metrics.close(); // first: a scrape must not read a journal or store being closed
    }
    if (rpcServer != null) {
      rpcServer.close();
    }
    if (housekeeping != null) {
      housekeeping.shutdownNow();
    }
    if (rpcExecutor != null) {
      rpcExecutor.shutdown();
      awaitQuietly(rpcExecutor);
    }
    if (ttls != null) {
      ttls.close();
    }
    if (loads != null) {
      loads.close();
    }
    if (mounts != null) {
      mounts.close();
    }
    if (journal != null) {
      try {
        journal.close();
      } catch (IOException e) {
        LOG.warn("closing the journal failed", e);
      }
    }
    if (store != null) {
      store.close();
    }
  }

  private static void awaitQuietly(ThreadPoolExecutor executor) {
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("RPC threads still busy after 10 s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
