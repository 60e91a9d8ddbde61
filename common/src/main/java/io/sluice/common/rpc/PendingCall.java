package io.sluice.common.rpc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** A call the client is waiting on: the future of its RESPONSE, and for streams the listener of its data. */
final class PendingCall {
  final long id;
  final CompletableFuture<Frame> response = new CompletableFuture<>();
  final StreamListener listener;
  volatile ScheduledFuture<?> timeout;

  PendingCall(long id, StreamListener listener) {
    this.id = id;
    this.listener = listener;
  }
}
