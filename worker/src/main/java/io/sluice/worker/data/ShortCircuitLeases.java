package io.sluice.worker.data;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.sluice.common.proto.CloseLocalBlockRequest;
import io.sluice.common.proto.CloseLocalBlockResponse;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.ShortCircuitProofRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WaitLocalBlockRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.ReadLease;
import io.sluice.worker.ufs.BlockLoad;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serves short-circuit reads (DESIGN 5): OPEN_LOCAL_BLOCK takes a {@link ReadLease} on a held block and answers
 * its file's absolute path and length; CLOSE_LOCAL_BLOCK closes it. The client on this host then reads the file
 * itself. A granted open counts as a cache hit, as a READ_BLOCK of a held block does. A block the worker does not
 * hold is read through from the UFS when the open names its source: answered once cached, or at once with a
 * {@link FollowLease} on the file being filled when the client asks to follow (WAIT_LOCAL_BLOCK then asks for more).
 *
 * <p>Only a connection that proved it comes from this host, from an OS user allowed to read the worker's files
 * ({@link LocalClientCheck}: SHORT_CIRCUIT_CHALLENGE and SHORT_CIRCUIT_PROOF, once per connection), gets a lease;
 * any other is answered PERMISSION_DENIED and pins nothing.
 *
 * <p>Leases belong to the connection that asked: when it closes (the client closed it or died) every lease it still
 * holds is closed, so a dead client cannot pin blocks for ever. Lease ids are per connection, so one client cannot
 * close another's. A connection may hold at most {@code maxLeases}: each pins a block against eviction.
 *
 * <p>Threading: a connection's calls and its close notification all run on its event loop, so its lease table
 * needs no lock; only the counters are shared across connections.
 */
public final class ShortCircuitLeases {
  private static final AttributeKey<ConnectionLeases> LEASES = AttributeKey.valueOf("sluice.shortCircuitLeases");

  private final BlockStore store;
  private final ReadThroughStats stats;
  /** Null when short-circuit is disabled. */
  private final LocalClientCheck check;
  private final int maxLeases;
  private final Duration loadWait;
  private final LongAdder opens = new LongAdder();
  private final LongAdder held = new LongAdder();

  /**
   * @param stats counts each granted open as a cache hit
   * @param check verifies a connection before it gets leases; null when short-circuit is disabled
   *     ({@code sluice.worker.short.circuit.enabled}): every challenge and open is answered PERMISSION_DENIED
   * @param maxLeases leases one connection may hold at once, at least 1
   * @param loadWait how long an open of an uncached UFS block waits for its load before answering NOT_FOUND, and a
   *     follow lease's WAIT_LOCAL_BLOCK before answering with what the file holds then
   *     ({@code sluice.worker.short.circuit.load.wait})
   */
  public ShortCircuitLeases(BlockStore store, ReadThroughStats stats, LocalClientCheck check, int maxLeases,
      Duration loadWait) {
    if (maxLeases < 1) {
      throw new IllegalArgumentException("short-circuit leases per connection must be at least 1: " + maxLeases);
    }
    this.store = store;
    this.stats = stats;
    this.check = check;
    this.maxLeases = maxLeases;
    this.loadWait = loadWait;
  }

  /** Leases granted for reads since start (read-aheads not counted). */
  public long opens() {
    return opens.sum();
  }

  /** Leases open now, over all connections. */
  public long held() {
    return held.sum();
  }

  /**
   * Answers an OPEN_LOCAL_BLOCK; on the call's event loop. A block the worker does not hold but whose UFS source the
   * request names is read through ({@code readThrough} joins or starts its load) and leased once cached, or at once
   * with a {@link FollowLease} when the request follows, so a client on this host reads even a cold block from the
   * file instead of through the block RPC.
   */
  void open(ServerCall call, OpenLocalBlockRequest req, ReadThrough readThrough) throws RpcException {
    checkEnabled("read block " + req.getBlockId() + " remotely");
    if (!check.verified(call.channel())) {
      throw new RpcException(Status.PERMISSION_DENIED, "connection from " + call.remoteAddress() + " has not proven"
          + " it runs on this host as a user who may read the worker's files (SHORT_CIRCUIT_PROOF); read block "
          + req.getBlockId() + " remotely");
    }
    checkRoom(call, req);
    ReadLease lease;
    try {
      lease = store.openRead(req.getBlockId());
    } catch (RpcException e) {
      if (e.status() != Status.NOT_FOUND || !req.hasUfs()) {
        throw e;
      }
      if (req.getFollow()) {
        follow(call, req, readThrough);
      } else {
        loadThenGrant(call, req, readThrough);
      }
      return;
    }
    if (!req.getReadAhead()) {
      stats.hit();
    }
    grant(call, lease, req.getReadAhead());
  }

  /** Answers a SHORT_CIRCUIT_CHALLENGE; on the call's event loop. */
  void challenge(ServerCall call) throws RpcException {
    checkEnabled("read remotely");
    check.challenge(call);
  }

  /** Answers a SHORT_CIRCUIT_PROOF; on the call's event loop. */
  void prove(ServerCall call, ShortCircuitProofRequest req) throws RpcException {
    checkEnabled("read remotely");
    check.prove(call, req);
  }

  private void checkEnabled(String instead) throws RpcException {
    if (check == null) {
      throw new RpcException(Status.PERMISSION_DENIED, "short-circuit reads are disabled on this worker"
          + " (sluice.worker.short.circuit.enabled=false); " + instead);
    }
  }

  private void checkRoom(ServerCall call, OpenLocalBlockRequest req) throws RpcException {
    if (leasesOf(call.channel()).byId.size() >= maxLeases) {
      throw new RpcException(Status.UNAVAILABLE, "connection from " + call.remoteAddress() + " already holds "
          + maxLeases + " short-circuit leases, the most allowed (sluice.worker.short.circuit.max.leases); close"
          + " some or read block " + req.getBlockId() + " remotely");
    }
  }

  /**
   * Hands {@code lease} to the connection and answers with it; on the call's event loop. A read-ahead's lease is not
   * counted as an open: nobody reads through it.
   */
  private void grant(ServerCall call, ReadLease lease, boolean readAhead) throws RpcException {
    ConnectionLeases leases = leasesOf(call.channel());
    int[] sums;
    try {
      sums = lease.checksums();
    } catch (RpcException e) {
      lease.close();
      throw e;
    }
    if (leases.closed) {
      // The connection closed before this call ran: nobody is left to close the lease.
      lease.close();
      throw new RpcException(Status.UNAVAILABLE, "connection from " + call.remoteAddress() + " closed");
    }
    long id = ++leases.lastId;
    leases.byId.put(id, new Committed(lease));
    held.increment();
    if (!readAhead) {
      opens.increment();
    }
    call.respond(OpenLocalBlockResponse.newBuilder().setPath(lease.path().toAbsolutePath().toString())
        .setLength(lease.length()).setLeaseId(id).addAllChunkCrcs(() -> Arrays.stream(sums).iterator()).build());
  }

  /**
   * Joins the block's load and answers at once with a {@link FollowLease} on its temp file; on the call's event loop.
   * A load that already ended is answered as a held block would be.
   */
  private void follow(ServerCall call, OpenLocalBlockRequest req, ReadThrough readThrough) throws RpcException {
    FollowLease lease = new FollowLease(call.channel().eventLoop(), loadWait);
    BlockLoad load = join(call, req, readThrough, lease.waker());
    if (load == null) {
      return;
    }
    lease.start(load);
    ConnectionLeases leases = leasesOf(call.channel());
    if (lease.loadEnded() || leases.closed) {
      // The temp file is renamed or gone: a committed block gets a plain lease, taken before the follow lease lets
      // the block go (no gap for an eviction); a failed load gives its error.
      try {
        RpcException failure = load.failure();
        if (failure != null) {
          throw failure;
        }
        grant(call, store.openRead(req.getBlockId()), req.getReadAhead());
      } finally {
        lease.close();
      }
      return;
    }
    long id = ++leases.lastId;
    leases.byId.put(id, lease);
    held.increment();
    if (!req.getReadAhead()) {
      opens.increment();
    }
    call.respond(lease.granted(id));
  }

  /**
   * Joins (or starts) the load of the requested block, counted as a miss unless a read-ahead; {@code wake} follows
   * it, holding a file reference the caller releases.
   *
   * @return the load, or null when the block was committed since the store was asked and {@code call} was answered
   *     as for a held block
   * @throws RpcException NOT_FOUND when the block cannot be cached now, or what {@link ReadThrough#join} throws
   */
  private BlockLoad join(ServerCall call, OpenLocalBlockRequest req, ReadThrough readThrough, Runnable wake)
      throws RpcException {
    BlockLoad load;
    try {
      load = readThrough.join(req.getBlockId(), req.getUfs(), false, wake);
    } catch (RpcException e) {
      if (e.status() == Status.ALREADY_EXISTS) {
        open(call, req.toBuilder().clearUfs().build(), readThrough);  // committed since we looked
        return null;
      }
      throw e;
    }
    if (load == null) {
      throw new RpcException(Status.NOT_FOUND, "block " + req.getBlockId() + " cannot be cached now (no room, or"
          + " another load of it from other metadata); read it remotely");
    }
    if (!req.getReadAhead()) {
      stats.miss();
    }
    return load;
  }

  /** Answers a WAIT_LOCAL_BLOCK; on the call's event loop. */
  void await(ServerCall call, WaitLocalBlockRequest req) throws RpcException {
    ConnectionLeases leases = call.channel().attr(LEASES).get();
    HeldLease lease = leases == null ? null : leases.byId.get(req.getLeaseId());
    if (lease == null) {
      throw new RpcException(Status.NOT_FOUND, "no short-circuit lease " + req.getLeaseId() + " on this connection");
    }
    if (!(lease instanceof FollowLease follow)) {
      throw new RpcException(Status.INVALID_ARGUMENT, "short-circuit lease " + req.getLeaseId() + " is on a"
          + " committed block: all of it is in the file");
    }
    follow.await(call, req);
  }

  /**
   * Joins the block's load and answers when it ended: a lease on the cached block, or the load's error. The load's
   * wake-ups come on a UFS thread; the answer is given on the call's event loop, once.
   */
  private void loadThenGrant(ServerCall call, OpenLocalBlockRequest req, ReadThrough readThrough)
      throws RpcException {
    AtomicReference<BlockLoad> joined = new AtomicReference<>();
    AtomicBoolean answered = new AtomicBoolean();
    EventLoop loop = call.channel().eventLoop();
    Runnable wake = new Runnable() {
      @Override
      public void run() {
        BlockLoad load = joined.get();
        if (load == null || (!load.isComplete() && load.failure() == null) || !answered.compareAndSet(false, true)) {
          return;
        }
        load.unfollow(this);
        loop.execute(() -> {
          load.file().release();
          answerLoaded(call, req, load.failure());
        });
      }
    };
    BlockLoad load = join(call, req, readThrough, wake);
    if (load == null) {
      return;
    }
    joined.set(load);
    wake.run();  // the load may have ended before it was known here
    loop.schedule(() -> {
      if (answered.compareAndSet(false, true)) {
        load.unfollow(wake);
        load.file().release();
        call.fail(new RpcException(Status.NOT_FOUND, "block " + req.getBlockId() + " is still being cached after "
            + loadWait.toMillis() + " ms; read it remotely"));
      }
    }, loadWait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void answerLoaded(ServerCall call, OpenLocalBlockRequest req, RpcException failure) {
    try {
      if (failure != null) {
        throw failure;
      }
      // Cached and committed before the load reported complete; gone again only if evicted or freed meanwhile.
      grant(call, store.openRead(req.getBlockId()), req.getReadAhead());
    } catch (RpcException e) {
      call.fail(e);
    }
  }

  /** Answers a CLOSE_LOCAL_BLOCK; on the call's event loop. */
  void close(ServerCall call, CloseLocalBlockRequest req) throws RpcException {
    ConnectionLeases leases = call.channel().attr(LEASES).get();
    HeldLease lease = leases == null ? null : leases.byId.remove(req.getLeaseId());
    if (lease == null) {
      throw new RpcException(Status.NOT_FOUND, "no short-circuit lease " + req.getLeaseId() + " on this connection");
    }
    lease.close();
    held.decrement();
    call.respond(CloseLocalBlockResponse.getDefaultInstance());
  }

  /** The connection's lease table, created (and tied to the connection's close) on its first open. */
  private ConnectionLeases leasesOf(Channel channel) {
    ConnectionLeases leases = channel.attr(LEASES).get();
    if (leases == null) {
      ConnectionLeases created = new ConnectionLeases();
      channel.attr(LEASES).set(created);
      // Runs at once when the connection already closed, marking the table closed before any lease goes in.
      channel.closeFuture().addListener(f -> releaseAll(created));
      leases = created;
    }
    return leases;
  }

  private void releaseAll(ConnectionLeases leases) {
    leases.closed = true;
    for (HeldLease lease : leases.byId.values()) {
      // The client may still be reading the file (its process outlives the connection): never reuse it.
      lease.closeDetached();
      held.decrement();
    }
    leases.byId.clear();
  }

  /** One connection's leases; event loop only. */
  private static final class ConnectionLeases {
    final Map<Long, HeldLease> byId = new HashMap<>();
    long lastId;
    boolean closed;
  }

  /** A lease on a committed block in the table. */
  private record Committed(ReadLease lease) implements HeldLease {
    @Override
    public void close() {
      lease.close();
    }

    @Override
    public void closeDetached() {
      lease.closeDetached();
    }
  }
}
