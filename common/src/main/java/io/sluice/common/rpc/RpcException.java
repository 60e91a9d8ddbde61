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

  public Status status() {
    return status;
  }

  /** For NOT_LEADER: the leader's {@code host:port} when known, else empty. */
  public String leader() {
    return leader;
  }
}
