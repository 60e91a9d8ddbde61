package io.sluice.common.rpc;

import io.sluice.common.proto.Status;
import java.io.IOException;

/**
 * A failed call: the {@link Status} the server (or the client's own RPC layer) answered, with the detail the caller
 * needs: the path in the message, the leader's address for {@link Status#NOT_LEADER}.
 */
public class RpcException extends IOException {
  private static final long serialVersionUID = 1L;
  private final Status status;
  private final String leader;
  private boolean answered;

  public RpcException(Status status, String message) {
    this(status, message, "");
  }

  public RpcException(Status status, String message, String leader) {
    super(message);
    this.status = status;
    this.leader = leader == null ? "" : leader;
  }

  public RpcException(Status status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.leader = "";
  }

  /** An error the server answered (as opposed to one raised on the client: no connection, timeout). */
  static RpcException answered(Status status, String message, String leader) {
    RpcException e = new RpcException(status, message, leader);
    e.answered = true;
    return e;
  }

  /**
   * Whether the server itself answered with this status. A retry on another server makes sense for a transport
   * failure, not for an UNAVAILABLE the leader answered (e.g. no worker to place a block on).
   */
  public boolean isAnswered() {
    return answered;
  }

  public Status status() {
    return status;
  }

  /** For NOT_LEADER: the leader's {@code host:port} when known, else empty. */
  public String leader() {
    return leader;
  }
}
