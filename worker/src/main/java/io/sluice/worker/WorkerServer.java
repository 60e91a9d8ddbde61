package io.sluice.worker;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.ServerMetrics;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcLimits;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.EvictionPolicy;
import io.sluice.worker.block.PoolWarmer;
import io.sluice.worker.block.TierSpec;
import io.sluice.worker.block.Watermarks;
import io.sluice.worker.data.DataHandler;
import io.sluice.worker.data.DataTraffic;
import io.sluice.worker.data.LocalClientCheck;
import io.sluice.worker.data.TransferMode;
import io.sluice.worker.data.ShortCircuitLeases;
import io.sluice.worker.copy.BlockCopier;
import io.sluice.worker.copy.CopyStats;
import io.sluice.worker.master.MasterLink;
import io.sluice.worker.metrics.WorkerMetrics;
import io.sluice.worker.metrics.WorkerStatusSource;
import io.sluice.worker.ufs.LoadTasks;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A worker: its block store, its metrics and their HTTP port, the data server with UFS read-through (its UFS
 * threads and mount connectors), the block copier (decommission drains), and the link to the master.
 * {@link #start()} scans the store, listens, and begins registering; {@link #close()} stops all of it.
 */
public final class WorkerServer implements Closeable {
  private final SluiceConf conf;
  private final List<TierSpec> tiers;
  private final BlockStore store;
  private final UfsRegistry ufsRegistry;
  private PoolWarmer warmer;
  private ServerMetrics metrics;
  private RpcServer data;
  private UfsMounts mounts;
  private ReadThrough readThrough;
  private BlockCopier copier;
  private volatile MasterLink link;

  public WorkerServer(SluiceConf conf) {
    this(conf, null);
  }

  /** A worker whose mounts connect through {@code ufsRegistry} (null: the connectors on the class path). */
  WorkerServer(SluiceConf conf, UfsRegistry ufsRegistry) {
    this.conf = conf;
    this.ufsRegistry = ufsRegistry;
    this.tiers = TierSpec.parse(conf.get(WorkerKeys.TIERS));
    this.store = new BlockStore(tiers, conf.get(WorkerKeys.WRITE_SYNC),
        Watermarks.parse(conf.get(WorkerKeys.EVICTION_HIGH_WATERMARK), conf.get(WorkerKeys.EVICTION_LOW_WATERMARK)),
        EvictionPolicy.named(conf.get(WorkerKeys.EVICTOR), Clock.systemUTC()));
  }

  /**
   * Scans the store, serves metrics, binds the data server and starts heartbeats.
   *
   * @throws IOException when any part cannot start; what had started is stopped again
   */
  public WorkerServer start() throws IOException {
    try {
      return startServices();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private WorkerServer startServices() throws IOException {
    store.holdEviction(); // what it finds, until the master's pins arrive with the registration (MasterLink)
    store.open();
    // In the background: start does not wait, and blocks may be written meanwhile (sizes are never negative).
    warmer = store.warmPools(conf.get(WorkerKeys.MEM_PRETOUCH));
    long chunk = conf.get(WorkerKeys.READ_CHUNK_SIZE);
    if (chunk <= 0 || chunk > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException(WorkerKeys.READ_CHUNK_SIZE.name() + " must be between 1 and 1g");
    }
    int ufsThreads = conf.get(WorkerKeys.UFS_THREADS);
    if (ufsThreads < 1) {
      throw new IllegalArgumentException(WorkerKeys.UFS_THREADS.name() + " must be at least 1");
    }
    long ufsBuffer = conf.get(WorkerKeys.UFS_BUFFER_SIZE);
    if (ufsBuffer < 4096 || ufsBuffer > 64L << 20) {
      throw new IllegalArgumentException(WorkerKeys.UFS_BUFFER_SIZE.name() + " must be between 4k and 64m");
    }
    int maxLeases = conf.get(WorkerKeys.SHORT_CIRCUIT_MAX_LEASES);
    if (maxLeases < 1) {
      throw new IllegalArgumentException(WorkerKeys.SHORT_CIRCUIT_MAX_LEASES.name() + " must be at least 1");
    }
    int copyThreads = conf.get(WorkerKeys.COPY_THREADS);
    if (copyThreads < 1) {
      throw new IllegalArgumentException(WorkerKeys.COPY_THREADS.name() + " must be at least 1");
    }
    RpcOptions options = RpcOptions.from(conf);
    Duration interval = conf.get(WorkerKeys.HEARTBEAT_INTERVAL);
    String bindHost = conf.get(WorkerKeys.BIND_HOST);
    metrics = ServerMetrics.start("worker", new InetSocketAddress(bindHost, conf.get(WorkerKeys.HTTP_PORT)));
    DataTraffic traffic = new DataTraffic();
    ReadThroughStats cache = new ReadThroughStats();
    ShortCircuitLeases shortCircuit = new ShortCircuitLeases(store, cache, localClientCheck(), maxLeases,
        conf.get(WorkerKeys.SHORT_CIRCUIT_LOAD_WAIT));
    CopyStats copies = new CopyStats();
    new WorkerMetrics(store, traffic, cache, shortCircuit, options.transport(), copies).bindTo(metrics.registry());
    mounts = new UfsMounts(this::fetchMounts, ufsRegistry != null ? ufsRegistry : UfsRegistry.load());
    readThrough = new ReadThrough(store, new UfsBlockReader(mounts, cache), this::reportCommitted, ufsThreads,
        (int) ufsBuffer);
    DataHandler handler = new DataHandler(store, (int) chunk, this::reportCommitted, traffic, readThrough, cache,
        shortCircuit, TransferMode.effective(conf.get(WorkerKeys.DATA_TRANSFER), options), options);
    data = new RpcServer("worker-data", new InetSocketAddress(bindHost, conf.get(WorkerKeys.DATA_PORT)), handler,
        options, RpcLimits.from(conf), metrics.rpcObserver()).start();
    WorkerAddress self = WorkerAddress.newBuilder().setHost(advertisedHost()).setDataPort(data.address().getPort())
        .setHttpPort(metrics.httpAddress().map(InetSocketAddress::getPort).orElse(0))
        .build();
    // Created last, so a failed start has no client to close. A heartbeat is retried by the next one: a long
    // retry budget would only delay it.
    List<InetSocketAddress> masters = FailoverRpcClient.parseAddresses(conf.get(CommonKeys.MASTER_ADDRESSES));
    FailoverRpcClient master = new FailoverRpcClient(masters, options, interval);
    LoadTasks loads = new LoadTasks(store, readThrough);
    copier = new BlockCopier(store, this::reportCommitted, loads, options, copyThreads, (int) chunk, copies);
    link = new MasterLink(master, self, store, interval, loads, copier);
    link.start();
    metrics.serveStatus("Sluice worker", new WorkerStatusSource(store, tiers, this::workerId, self,
        masters.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList(), shortCircuit, cache));
    return this;
  }

  /** Writes a new short-circuit token ({@link WorkerKeys#SHORT_CIRCUIT_TOKEN_FILE}); null when disabled. */
  private LocalClientCheck localClientCheck() throws IOException {
    if (!conf.get(WorkerKeys.SHORT_CIRCUIT_ENABLED)) {
      return null;
    }
    String file = conf.get(WorkerKeys.SHORT_CIRCUIT_TOKEN_FILE).trim();
    // By default in the first tier directory that can take it.
    List<Path> places = !file.isEmpty() ? List.of(Path.of(file)) : tiers.stream().flatMap(t -> t.dirs().stream())
        .map(d -> d.path().resolve("short-circuit.token")).toList();
    try {
      return LocalClientCheck.createInFirst(places, conf.get(WorkerKeys.SHORT_CIRCUIT_GROUP).trim());
    } catch (IOException e) {
      throw new IOException("cannot write the short-circuit token (" + WorkerKeys.SHORT_CIRCUIT_TOKEN_FILE.name()
          + ", " + WorkerKeys.SHORT_CIRCUIT_GROUP.name() + "): " + e, e);
    }
  }

  /** Until the link exists (a moment during start) there is no master to tell: answer at once. */
  private java.util.concurrent.CompletableFuture<Void> reportCommitted(long blockId) {
    MasterLink l = link;
    return l == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : l.reportCommitted(blockId);
  }

  /** The mount table, from the master; the link exists once the data server listens, before any read. */
  private List<MountInfo> fetchMounts() throws RpcException {
    MasterLink l = link;
    if (l == null) {
      throw new RpcException(Status.UNAVAILABLE, "not connected to the master yet");
    }
    return l.mounts();
  }

  private String advertisedHost() throws UnknownHostException {
    String host = conf.get(WorkerKeys.HOST);
    return host.isEmpty() ? InetAddress.getLocalHost().getCanonicalHostName() : host;
  }

  /** The data server's bound address. */
  public InetSocketAddress dataAddress() {
    return data.address();
  }

  /**
   * Waits up to {@code timeout} for the MEM pre-touch ({@code sluice.worker.mem.pretouch}) to finish; true when done
   * or none runs. For benchmarks and tests that must start on resident pages.
   */
  public boolean awaitPretouch(Duration timeout) throws InterruptedException {
    PoolWarmer w = warmer;
    return w == null || w.await(timeout);
  }

  /**
   * The address of the HTTP service ({@code /metrics}, {@code /api/status}), or empty when its port was taken or
   * before start.
   */
  public Optional<InetSocketAddress> httpAddress() {
    return metrics == null ? Optional.empty() : metrics.httpAddress();
  }

  public BlockStore blockStore() {
    return store;
  }

  /** The id the master gave this worker, or -1 while unregistered. */
  public long workerId() {
    return link == null ? -1 : link.workerId();
  }

  @Override
  public void close() {
    if (link != null) {
      link.close();
      link = null;
    }
    // After the link (no new copy tasks), before the data server: a copy stopped mid-way leaves no temp block.
    if (copier != null) {
      copier.close();
      copier = null;
    }
    if (data != null) {
      data.close();
      data = null;
    }
    // After the data server: no read can start a load any more.
    if (readThrough != null) {
      readThrough.close();
      readThrough = null;
    }
    if (mounts != null) {
      mounts.close();
      mounts = null;
    }
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
    if (warmer != null) {
      warmer.close();
      warmer = null;
    }
  }
}
