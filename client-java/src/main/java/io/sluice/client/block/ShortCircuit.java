package io.sluice.client.block;

import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Short-circuit reads (DESIGN 5) as this process sees them: which workers run on this host, which worker connections
 * refused short-circuit for good, and process-wide counters ({@link #opens()}, {@link #bytesRead()},
 * {@link #fallbacks()}) over every client in the JVM, for front ends and tests to report.
 *
 * <p>A worker is on this host when its advertised host name resolves to a loopback address or to an address of one
 * of this machine's interfaces; each name is resolved once per process (workers are few and rarely move host).
 * Before its first lease a connection proves to the worker that this process may read the worker's files
 * ({@link ShortCircuitProof}). A connection whose proof failed (this process cannot read the worker's token, the
 * worker refused), whose worker answered PERMISSION_DENIED (disabled there) or INVALID_ARGUMENT (a worker without
 * short-circuit), or whose block files this process may not read, is not asked again: its blocks go over the RPC
 * without the extra round trip. A new connection to the same worker (after a restart) is asked again.
 */
public final class ShortCircuit {
  private static final Map<String, Boolean> LOCAL_HOSTS = new ConcurrentHashMap<>();
  /** Weak, so a dropped connection's entry goes with it. */
  private static final Map<RpcClient, Boolean> REFUSED = Collections.synchronizedMap(new WeakHashMap<>());
  private static final LongAdder OPENS = new LongAdder();
  private static final LongAdder FOLLOWS = new LongAdder();
  private static final LongAdder BYTES = new LongAdder();
  private static final LongAdder FALLBACKS = new LongAdder();

  private ShortCircuit() {}

  /** Blocks opened by short-circuit in this process since it started. */
  public static long opens() {
    return OPENS.sum();
  }

  /**
   * Of {@link #opens()}, the blocks opened while the worker was still reading them through from the UFS, read as
   * the load filled the file.
   */
  public static long follows() {
    return FOLLOWS.sum();
  }

  /** Block bytes read by short-circuit in this process since it started. */
  public static long bytesRead() {
    return BYTES.sum();
  }

  /**
   * Short-circuit attempts that ended in a read over the RPC instead: the worker did not grant a lease (the block is
   * not cached there, short-circuit is disabled there, too many leases), or the file could not be opened or read.
   */
  public static long fallbacks() {
    return FALLBACKS.sum();
  }

  /** Whether {@code worker} runs on this host, so its block files can be opened here. */
  static boolean isLocal(WorkerAddress worker) {
    return LOCAL_HOSTS.computeIfAbsent(worker.getHost(), ShortCircuit::resolvesHere);
  }

  private static boolean resolvesHere(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) {
          return true;
        }
      }
    } catch (IOException e) {
      // Unresolvable here: not a name of this host.
    }
    return false;
  }

  /** Whether {@code worker} refused short-circuit for good; see the class comment. */
  static boolean refused(RpcClient worker) {
    return REFUSED.containsKey(worker);
  }

  static void refuse(RpcClient worker) {
    REFUSED.put(worker, Boolean.TRUE);
  }

  static void opened(boolean loading) {
    OPENS.increment();
    if (loading) {
      FOLLOWS.increment();
    }
  }

  static void read(long bytes) {
    BYTES.add(bytes);
  }

  static void fellBack() {
    FALLBACKS.increment();
  }
}
