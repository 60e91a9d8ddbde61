package io.sluice.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The per-server bundle: tagging, a taken port, closing, RPC meters only for an RPC server. */
class ServerMetricsTest {
  @Test
  void aTakenPortLeavesTheServerRunningWithoutHttp() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        ServerMetrics m = ServerMetrics.start("master", new InetSocketAddress("127.0.0.1", taken.getLocalPort()))) {
      assertTrue(m.httpAddress().isEmpty());
      m.registry().counter("sluice.test.things").increment();
      assertTrue(m.registry().scrape().contains("sluice_test_things_total{server=\"master\"} 1"),
          m.registry().scrape());
    }
  }

  @Test
  void closeStopsServing() throws Exception {
    ServerMetrics m = ServerMetrics.start("worker", new InetSocketAddress("127.0.0.1", 0));
    InetSocketAddress http = m.httpAddress().orElseThrow();
    assertEquals(200, Scrape.get(http, "/health").statusCode());
    m.close();
    assertThrows(IOException.class, () -> Scrape.get(http, "/health"));
  }

  /** A process without an RPC server (the FUSE mount) shows no RPC meters, which would read as an idle server. */
  @Test
  void rpcMetersAppearOnceAnRpcServerAsks() throws IOException {
    try (ServerMetrics m = ServerMetrics.start("fuse", new InetSocketAddress("127.0.0.1", 0))) {
      assertFalse(m.registry().scrape().contains("sluice_rpc_server_"), m.registry().scrape());
      assertSame(m.rpcObserver(), m.rpcObserver());
      assertTrue(m.registry().scrape().contains("sluice_rpc_server_connections{server=\"fuse\"} 0"),
          m.registry().scrape());
    }
  }
}
