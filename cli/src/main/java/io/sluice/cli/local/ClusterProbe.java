package io.sluice.cli.local;

import io.sluice.common.proto.GetClusterInfoRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/** Asks a master for its cluster view; used to wait until a freshly started cluster is ready. */
final class ClusterProbe {
  private ClusterProbe() {}

  /**
   * The master's cluster info, or empty when it does not answer.
   *
   * @param options how to connect (the user and, on a secured cluster, the shared secret)
   */
  static Optional<GetClusterInfoResponse> ask(InetSocketAddress master, RpcOptions options) {
    try (RpcClient c = RpcClient.connect(master, options.withCallTimeout(Duration.ofSeconds(2)))) {
      return Optional.of(c.call(MasterMethod.GET_CLUSTER_INFO_VALUE, GetClusterInfoRequest.getDefaultInstance(),
          GetClusterInfoResponse.parser()));
    } catch (RpcException e) {
      return Optional.empty();
    }
  }

  /**
   * Polls until the master's answer satisfies {@code ready}, the process dies, or {@code timeout} passes.
   *
   * @return whether it became ready
   */
  static boolean await(InetSocketAddress master, RpcOptions options, Predicate<GetClusterInfoResponse> ready,
      Process process, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        return false;
      }
      if (ask(master, options).filter(ready).isPresent()) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }
}
