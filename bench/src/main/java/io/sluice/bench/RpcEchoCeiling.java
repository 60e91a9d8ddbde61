package io.sluice.bench;

import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import java.net.InetSocketAddress;

/**
 * The floor under any remote metadata call: a round trip of Sluice's own RPC framework on loopback to a handler
 * that answers at once (on the event loop, no executor hand-off, no store), one connection per thread as the
 * metadata phases use. A stat can be no faster than this; stat minus echo is what the master itself spends.
 */
final class RpcEchoCeiling {
  private RpcEchoCeiling() {}

  static PhaseResult run(int threads, int perThread) throws Exception {
    GetStatusResponse answer = GetStatusResponse.getDefaultInstance();
    RpcServer server = new RpcServer("echo", new InetSocketAddress("127.0.0.1", 0), call -> call.respond(answer),
        RpcOptions.defaults()).start();
    RpcClient[] clients = new RpcClient[threads];
    try {
      for (int t = 0; t < threads; t++) {
        clients[t] = RpcClient.connect(server.address(), RpcOptions.defaults());
      }
      GetStatusRequest req = GetStatusRequest.newBuilder().setPath("/t0/f1").build();
      Phase.run("warmup", threads, 2000, (t, i) -> clients[t].call(1, req, GetStatusResponse.parser()));
      return Phase.run("rpc echo (floor)", threads, perThread,
          (t, i) -> clients[t].call(1, req, GetStatusResponse.parser()));
    } finally {
      for (RpcClient c : clients) {
        if (c != null) {
          c.close();
        }
      }
      server.close();
    }
  }
}
