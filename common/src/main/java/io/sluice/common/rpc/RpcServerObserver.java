package io.sluice.common.rpc;

import io.sluice.common.proto.Status;

/**
 * What an {@link RpcServer} reports about its traffic, for metrics. Called on the network threads (and, for
 * answers, on whatever thread answers a call), so implementations must be thread-safe, must not block and should
 * not allocate per call.
 */
public interface RpcServerObserver {
  /** Observes nothing. */
  RpcServerObserver NONE = new RpcServerObserver() {};

  /** A connection was accepted. */
  default void connectionOpened() {}

  /** A connection accepted earlier closed, for whatever reason. */
  default void connectionClosed() {}

  /**
   * A connection was refused before it was served (each refused connection is reported once, with the first reason
   * found); the server logged a WARN line naming the peer.
   */
  default void handshakeFailed(HandshakeFailure reason) {}

  /** A frame was corrupt or oversized; its connection is being closed. */
  default void frameRejected() {}

  /** A REQUEST or ONE_WAY call arrived and is now in flight. */
  default void callStarted(int method) {}

  /**
   * A call {@linkplain #callStarted started} earlier ended: answered with {@code status} (OK for an answered
   * ONE_WAY call), or aborted because its client cancelled or its connection closed (then UNAVAILABLE).
   */
  default void callEnded(int method, Status status, long elapsedNanos) {}
}
