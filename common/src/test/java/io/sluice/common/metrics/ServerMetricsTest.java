package io.sluice.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The per-server bundle: tagging, a taken port, closing. */
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
}
