package io.sluice.client.block;

import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One RPC connection per worker data address, shared by every block stream of a client: {@link RpcClient}
 * multiplexes calls, so concurrent readers and writers of the same worker share a socket. A connection that
 * closed is replaced on the next {@link #get}. Thread-safe; connecting to one worker does not hold up others.
 *
 * <p>A worker that could not be reached, or that a reader gave up on ({@link #avoid}), is avoided for the avoid time
 * ({@code sluice.user.worker.avoid.time}): readers try its blocks' other locations first ({@link #avoided}), so a
 * dead worker costs one timeout, not one per block. It is still tried when nothing else is left.
 */
public final class WorkerClientPool implements Closeable {
  private final RpcOptions options;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  /** System.nanoTime() until which a worker is avoided, by {@link #describe} key. */
  private final Map<String, Long> avoidedUntil = new ConcurrentHashMap<>();
  private final long avoidNanos;
  private volatile boolean closed;

  /** The connection to one worker, guarded by its own monitor so a slow connect blocks only its users. */
  private static final class Slot {
    private RpcClient client;
  }

  /** @param avoidTime how long a failed worker is tried last (0: never avoided) */
  public WorkerClientPool(RpcOptions options, Duration avoidTime) {
    this.options = options;
    this.avoidNanos = avoidTime.toNanos();
  }

  /** Readers try {@code address} last for the avoid time: it could not be reached or stopped answering. */
  public void avoid(WorkerAddress address) {
    if (avoidNanos > 0) {
      avoidedUntil.put(describe(address), System.nanoTime() + avoidNanos);
    }
  }

  /** Whether {@code address} failed less than the avoid time ago. */
  public boolean avoided(WorkerAddress address) {
    Long until = avoidedUntil.get(describe(address));
    if (until == null) {
      return false;
    }
    if (System.nanoTime() - until >= 0) {
      avoidedUntil.remove(describe(address), until);
      return false;
    }
    return true;
  }

  /** A key for logs and messages: {@code host:port}. */
  public static String describe(WorkerAddress a) {
    return a.getHost() + ":" + a.getDataPort();
  }

  /**
   * The live connection to {@code address}, connecting (and handshaking) if there is none.
   *
   * @throws RpcException UNAVAILABLE when the worker cannot be reached or the pool is closed
   */
  public RpcClient get(WorkerAddress address) throws RpcException {
    String key = describe(address);
    Slot slot = slots.computeIfAbsent(key, k -> new Slot());
    synchronized (slot) {
      if (closed) {
        throw new RpcException(Status.UNAVAILABLE, "client closed; not connecting to worker " + key);
      }
      if (slot.client == null || !slot.client.isActive()) {
        if (slot.client != null) {
          slot.client.close();
          slot.client = null;
        }
        try {
          slot.client = RpcClient.connect(new InetSocketAddress(address.getHost(), address.getDataPort()), options);
        } catch (RpcException e) {
          avoid(address);
          throw e;
        }
        avoidedUntil.remove(key);
      }
      return slot.client;
    }
  }

  /** The options connections are made with (the call timeout bounds each wait for data). */
  public RpcOptions options() {
    return options;
  }

  /** Closes every connection; streams still open on them fail with UNAVAILABLE. */
  @Override
  public void close() {
    closed = true;
    for (Slot slot : slots.values()) {
      synchronized (slot) {
        if (slot.client != null) {
          slot.client.close();
          slot.client = null;
        }
      }
    }
  }
}
