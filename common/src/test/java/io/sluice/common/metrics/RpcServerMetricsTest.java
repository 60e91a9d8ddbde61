package io.sluice.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RPC meters recorded by the framework, read back through a real scrape of a real server. */
class RpcServerMetricsTest {
  private static final int METHOD_OK = 5;
  private static final int METHOD_MISSING = 6;

  private final RpcHandler handler = call -> {
    switch (call.method()) {
      case METHOD_OK -> call.respond(GetStatusResponse.newBuilder().setInfo(FileInfo.newBuilder().setName("x"))
          .build());
      case METHOD_MISSING -> call.fail(new RpcException(Status.NOT_FOUND, "no such file"));
      default -> { }
    }
  };

  private ServerMetrics metrics;
  private RpcServer server;
  private final RpcOptions options = RpcOptions.defaults().withUser("alice");

  @BeforeEach
  void start() throws Exception {
    metrics = ServerMetrics.start("test", new InetSocketAddress("127.0.0.1", 0));
    server = new RpcServer("test", new InetSocketAddress("127.0.0.1", 0), handler, options,
        metrics.rpcObserver()).start();
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private InetSocketAddress http() {
    return metrics.httpAddress().orElseThrow();
  }

  @Test
  void countsCallsByMethodAndStatus() throws Exception {
    int n = 7;
    try (RpcClient c = RpcClient.connect(server.address(), options)) {
      for (int i = 0; i < n; i++) {
        c.call(METHOD_OK, GetStatusRequest.getDefaultInstance(), GetStatusResponse.parser());
      }
      for (int i = 0; i < 2; i++) {
        RpcException e = org.junit.jupiter.api.Assertions.assertThrows(RpcException.class,
            () -> c.call(METHOD_MISSING, GetStatusRequest.getDefaultInstance(), GetStatusResponse.parser()));
        assertEquals(Status.NOT_FOUND, e.status());
      }
      Scrape s = Scrape.of(http());
      assertEquals(n, s.require("sluice_rpc_server_calls_total", "method", "5", "status", "OK", "server", "test"));
      assertEquals(2, s.require("sluice_rpc_server_calls_total", "method", "6", "status", "NOT_FOUND"));
      assertTrue(s.value("sluice_rpc_server_calls_total", "method", "5", "status", "NOT_FOUND").isEmpty());
      assertEquals(n, s.require("sluice_rpc_server_latency_seconds_count", "method", "5"));
      assertTrue(s.require("sluice_rpc_server_latency_seconds_sum", "method", "5") > 0);
      assertEquals(n, s.require("sluice_rpc_server_latency_seconds_bucket", "method", "5", "le", "+Inf"));
      assertEquals(n, s.require("sluice_rpc_server_latency_seconds_bucket", "method", "5", "le", "30.0"));
      assertEquals(0, s.require("sluice_rpc_server_inflight"));
      assertEquals(1, s.require("sluice_rpc_server_connections"));
    }
    awaitSample("sluice_rpc_server_connections", 0);
  }

  @Test
  void countsAnUnansweredCallAsInFlight() throws Exception {
    try (RpcClient c = RpcClient.connect(server.address(), options)) {
      // Method 8 is never answered: it stays in flight until its connection closes and aborts it.
      c.call(8, GetStatusRequest.getDefaultInstance());
      awaitSample("sluice_rpc_server_inflight", 1);
    }
    awaitSample("sluice_rpc_server_inflight", 0);
    assertEquals(1, Scrape.of(http()).require("sluice_rpc_server_calls_total", "method", "8", "status",
        "UNAVAILABLE"));
  }

  @Test
  void countsMalformedFrames() throws Exception {
    assertEquals(0, Scrape.of(http()).require("sluice_rpc_server_frames_rejected_total"));
    try (Socket bad = new Socket("127.0.0.1", server.address().getPort())) {
      // A 12-byte frame whose header length (0x7f7f7f7f) points far outside it.
      bad.getOutputStream().write(new byte[] {0, 0, 0, 12, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8});
      bad.getOutputStream().flush();
      InputStream in = bad.getInputStream();
      assertEquals(-1, in.read()); // the server closed it, after counting
    }
    assertEquals(1, Scrape.of(http()).require("sluice_rpc_server_frames_rejected_total"));

    try (Socket big = new Socket("127.0.0.1", server.address().getPort())) {
      big.getOutputStream().write(new byte[] {0x7f, 0, 0, 0, 0, 0, 0, 0}); // announces ~2 GiB, over the limit
      big.getOutputStream().flush();
      assertEquals(-1, big.getInputStream().read());
    }
    assertEquals(2, Scrape.of(http()).require("sluice_rpc_server_frames_rejected_total"));
  }

  @Test
  void servesJvmMetrics() throws Exception {
    Scrape s = Scrape.of(http());
    assertTrue(s.require("jvm_buffer_memory_used_bytes", "id", "direct", "server", "test") >= 0);
    assertTrue(s.require("process_uptime_seconds") > 0);
    assertTrue(s.require("jvm_threads_live_threads") > 0);
  }

  private void awaitSample(String name, double want) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    double last;
    do {
      last = Scrape.of(http()).require(name);
      if (last == want) {
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertEquals(want, last, name);
  }
}
