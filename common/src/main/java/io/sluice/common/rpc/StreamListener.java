package io.sluice.common.rpc;

/**
 * Receives the stream frames of one call after its opening REQUEST: on the server the client's data of a write,
 * on the client the server's data of a read. Called on the connection's event loop, in arrival order.
 */
public interface StreamListener {
  /** A STREAM_DATA frame; the listener owns it and must {@link Frame#release()} it. */
  void onData(Frame frame);

  /** The peer sent STREAM_END: no more data for this call. */
  default void onEnd() {}

  /** The peer granted {@code credits} more data frames. */
  default void onCredit(int credits) {}

  /** The call ended abnormally: the peer cancelled it or the connection closed. Called at most once. */
  default void onAbort(RpcException cause) {}
}
