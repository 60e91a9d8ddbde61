package io.sluice.common.rpc;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sluice.common.proto.Status;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls whichever of a set of masters leads. It keeps one connection to the last known leader; on NOT_LEADER it
 * follows the leader hint, on an unreachable master it tries the next address, backing off between rounds, until
 * the retry budget is spent. The server deduplicates retried mutations (client id in the handshake, DESIGN §3).
 * Thread-safe.
 */
public final class FailoverRpcClient implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(FailoverRpcClient.class);

  private final List<InetSocketAddress> addresses;
  private final RpcOptions options;
  private final Duration retryBudget;
  /**
   * Names logical calls; a retry reuses its call's id so the master can deduplicate it. Process-wide, so unique
   * whatever client id it pairs with ({@link RpcOptions#clientId()}, one per client object).
   */
  private static final AtomicLong NEXT_REQUEST_ID = new AtomicLong(1);
  private RpcClient current;
  private int next;

  /**
   * @param addresses every master's RPC address
   * @param retryBudget how long one call may keep retrying through failovers before it fails
   */
  public FailoverRpcClient(List<InetSocketAddress> addresses, RpcOptions options, Duration retryBudget) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no master addresses");
    }
    this.addresses = List.copyOf(addresses);
    this.options = options;
    this.retryBudget = retryBudget;
  }

  /** Parses {@code host:port,host:port}. */
  public static List<InetSocketAddress> parseAddresses(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.lastIndexOf(':');
      if (colon <= 0 || colon == p.length() - 1) {
        throw new IllegalArgumentException("expected host:port, got '" + p + "'");
      }
      out.add(InetSocketAddress.createUnresolved(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1))));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no master addresses in '" + list + "'");
    }
    return out;
  }

  /**
   * Calls the leader.
   *
   * @throws RpcException the leader's answer for anything but NOT_LEADER/UNAVAILABLE, or UNAVAILABLE naming the
   *     masters tried once the retry budget is spent. Retried calls carry one request id, so a mutation the
   *     master already applied is not applied again.
   */
  public <T extends Message> T call(int method, Message body, Parser<T> parser) throws RpcException {
    long deadline = System.nanoTime() + retryBudget.toNanos();
    long requestId = NEXT_REQUEST_ID.getAndIncrement();
    long backoffMs = 50;
    RpcException last = null;
    for (int attempt = 0; ; attempt++) {
      RpcClient client = null;
      try {
        client = connection();
        return client.call(method, body, parser, requestId);
      } catch (RpcException e) {
        boolean transport = e.status() == Status.UNAVAILABLE && !e.isAnswered();
        if (e.status() != Status.NOT_LEADER && !transport) {
          throw e;
        }
        last = e;
        failed(client, e);
      }
      if (System.nanoTime() > deadline) {
        throw new RpcException(Status.UNAVAILABLE, "no master answered (" + addresses + "): " + last.getMessage(),
            last);
      }
      if (attempt % addresses.size() == addresses.size() - 1) {
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 1000);
      }
    }
  }

  /**
   * Calls the leader once, for a call that is only a hint: no retry through a failover, and no wait beyond
   * {@code timeout}. A NOT_LEADER answer or a lost connection still moves the next call toward the leader; a timeout
   * leaves the connection to the calls that share it.
   *
   * @throws RpcException the answer's error, or the failure of the one attempt
   */
  public <T extends Message> T callOnce(int method, Message body, Parser<T> parser, Duration timeout)
      throws RpcException {
    RpcClient client = null;
    try {
      client = connection();
      return client.call(method, body, parser, NEXT_REQUEST_ID.getAndIncrement(), timeout);
    } catch (RpcException e) {
      if (e.status() == Status.NOT_LEADER || client == null || !client.isActive()) {
        failed(client, e);
      }
      throw e;
    }
  }

  private synchronized RpcClient connection() throws RpcException {
    if (current != null && current.isActive()) {
      return current;
    }
    InetSocketAddress a = addresses.get(next);
    current = RpcClient.connect(new InetSocketAddress(a.getHostString(), a.getPort()), options);
    return current;
  }

  /** After a failed call: follow the leader hint, or move on to the next master. */
  private synchronized void failed(RpcClient client, RpcException e) {
    if (client != null && client == current) {
      current.close();
      current = null;
    }
    int hinted = e.status() == Status.NOT_LEADER ? indexOf(e.leader()) : -1;
    next = hinted >= 0 ? hinted : (next + 1) % addresses.size();
    LOG.debug("master call failed ({}: {}); trying {}", e.status(), e.getMessage(), addresses.get(next));
  }

  private int indexOf(String hostPort) {
    for (int i = 0; i < addresses.size(); i++) {
      InetSocketAddress a = addresses.get(i);
      if ((a.getHostString() + ":" + a.getPort()).equals(hostPort)) {
        return i;
      }
    }
    return -1;
  }

  private static void sleep(long ms) throws RpcException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new RpcException(Status.UNAVAILABLE, "interrupted", ie);
    }
  }

  @Override
  public synchronized void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
