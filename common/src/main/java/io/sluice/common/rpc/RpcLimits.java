package io.sluice.common.rpc;

import io.sluice.common.conf.ConfigKey;
import io.sluice.common.conf.SluiceConf;

/**
 * What one {@link RpcServer} lets its peers take: connections, requests in flight per connection, and bytes queued
 * for a peer that does not read. Each bound turns hostile or broken clients into refusals instead of memory growth.
 * The frame size bound is {@link RpcOptions#maxFrameBytes()}, shared with clients.
 *
 * @param maxConnections connections served at once; one more is closed as soon as it is accepted
 * @param maxInflight REQUEST calls of one connection not yet answered; one more is answered UNAVAILABLE
 * @param writeBufferLow bytes queued for a connection under which the server reads from it again
 * @param writeBufferHigh bytes queued for a connection over which the server stops reading from it
 */
public record RpcLimits(int maxConnections, int maxInflight, int writeBufferLow, int writeBufferHigh) {
  /** Connections one server serves at once. */
  public static final ConfigKey<Integer> MAX_CONNECTIONS = ConfigKey.integer("sluice.rpc.server.max.connections",
      4096, "Connections one RPC server (master, worker data) serves at once; further ones are closed at once.");

  /** Unanswered requests per connection. */
  public static final ConfigKey<Integer> MAX_INFLIGHT = ConfigKey.integer("sluice.rpc.server.max.inflight", 1024,
      "Unanswered requests one connection may have open; the excess is answered UNAVAILABLE at once.");

  /** Queued outbound bytes per connection over which the server stops reading the connection. */
  public static final ConfigKey<Long> WRITE_BUFFER_HIGH = ConfigKey.bytes("sluice.rpc.server.write.buffer.high",
      "2m", "Bytes queued for a client that is not reading, over which the server stops reading its requests.");

  /** Queued outbound bytes per connection under which the server reads the connection again. */
  public static final ConfigKey<Long> WRITE_BUFFER_LOW = ConfigKey.bytes("sluice.rpc.server.write.buffer.low",
      "1m", "Bytes queued for a client under which the server reads its requests again (below the high mark).");

  /** The built-in defaults. */
  public static final RpcLimits DEFAULTS = from(SluiceConf.defaults());

  public RpcLimits {
    if (maxConnections < 1 || maxInflight < 1) {
      throw new IllegalArgumentException(MAX_CONNECTIONS.name() + " and " + MAX_INFLIGHT.name()
          + " must be at least 1");
    }
    if (writeBufferLow < 1 || writeBufferLow > writeBufferHigh) {
      throw new IllegalArgumentException(WRITE_BUFFER_LOW.name() + " must be positive and at most "
          + WRITE_BUFFER_HIGH.name());
    }
  }

  /** The limits set in {@code conf}. */
  public static RpcLimits from(SluiceConf conf) {
    return new RpcLimits(conf.get(MAX_CONNECTIONS), conf.get(MAX_INFLIGHT), bytes(conf, WRITE_BUFFER_LOW),
        bytes(conf, WRITE_BUFFER_HIGH));
  }

  private static int bytes(SluiceConf conf, ConfigKey<Long> key) {
    long v = conf.get(key);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key.name() + " must be below 2g");
    }
    return (int) v;
  }

  public RpcLimits withMaxConnections(int n) {
    return new RpcLimits(n, maxInflight, writeBufferLow, writeBufferHigh);
  }

  public RpcLimits withMaxInflight(int n) {
    return new RpcLimits(maxConnections, n, writeBufferLow, writeBufferHigh);
  }

  public RpcLimits withWriteBuffer(int low, int high) {
    return new RpcLimits(maxConnections, maxInflight, low, high);
  }
}
