package io.sluice.common.rpc;

/** A service behind an {@link RpcServer}: master metadata, worker data. */
public interface RpcHandler {
  /**
   * Handles one REQUEST or ONE_WAY frame. Called on the connection's event loop, so it must not block: hand
   * blocking work (RocksDB, Raft, disk) to an executor and answer from there. A stream listener for the call must be
   * set before this returns. An exception thrown here fails the call.
   */
  void handle(ServerCall call);
}
