package io.sluice.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.MountSummary;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoint over a real socket. */
class MetricsHttpServerTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private MetricsHttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = MetricsHttpServer.start("test", new InetSocketAddress("127.0.0.1", 0), registry);
  }

  @AfterEach
  void stop() {
    server.close();
    registry.close();
  }

  @Test
  void metricsServesTheRegistryInPrometheusText() throws Exception {
    Counter.builder("sluice.test.things").register(registry).increment(3);
    HttpResponse<String> r = Scrape.get(server.address(), "/metrics");
    assertEquals(200, r.statusCode());
    assertEquals(MetricsHttpServer.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(r.body().contains("# TYPE sluice_test_things_total counter"), r.body());
    assertEquals(3.0, Scrape.parse(r.body()).require("sluice_test_things_total"));
  }

  @Test
  void scrapeFollowsTheRegistry() throws Exception {
    Counter c = Counter.builder("sluice.test.things").register(registry);
    assertEquals(0.0, Scrape.of(server.address()).require("sluice_test_things_total"));
    c.increment();
    assertEquals(1.0, Scrape.of(server.address()).require("sluice_test_things_total"));
  }

  @Test
  void healthAnswersOk() throws Exception {
    HttpResponse<String> r = Scrape.get(server.address(), "/health");
    assertEquals(200, r.statusCode());
    assertEquals("ok", r.body().strip());
  }

  @Test
  void otherPathsAreNotFound() throws Exception {
    for (String path : new String[] {"/metrics/x", "/api/nothing", "/api/status/x", "/index.htm", "/healthz"}) {
      assertEquals(404, Scrape.get(server.address(), path).statusCode(), path);
    }
  }

  @Test
  void statusAnswers503UntilTheServerGivesIt() throws Exception {
    for (String path : new String[] {"/api/status", "/", "/index.html"}) {
      HttpResponse<String> r = Scrape.get(server.address(), path);
      assertEquals(503, r.statusCode(), path);
      assertEquals("test is starting: no status yet", r.body().strip());
    }
  }

  @Test
  void apiStatusServesTheMessageAsJson() throws Exception {
    MasterStatus status = MasterStatus.newBuilder().setRole("LEADER").setTerm(3)
        .addMounts(MountSummary.newBuilder().setPath("/m").setUfsUri("file:/tmp/u")).build();
    server.serveStatus("Test", () -> status);
    HttpResponse<String> r = Scrape.get(server.address(), "/api/status");
    assertEquals(200, r.statusCode());
    assertEquals(MetricsHttpServer.JSON_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
    MasterStatus.Builder parsed = MasterStatus.newBuilder();
    JsonFormat.parser().merge(r.body(), parsed);
    assertEquals(status, parsed.build());
    assertTrue(r.body().contains("\"inodeCount\": \"0\""), "zeros are printed too: " + r.body());
  }

  @Test
  void rootServesTheStatusPage() throws Exception {
    server.serveStatus("Test <server>", () -> MasterStatus.newBuilder().setAddress("host<1>:7000").build());
    for (String path : new String[] {"/", "/index.html"}) {
      HttpResponse<String> r = Scrape.get(server.address(), path);
      assertEquals(200, r.statusCode(), path);
      assertEquals("text/html; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(r.body().contains("<h1>Test &lt;server&gt;</h1>"), r.body());
      assertTrue(r.body().contains("host&lt;1&gt;:7000"), r.body());
    }
  }

  @Test
  void aStatusThatFailsAnswers500InOneLine() throws Exception {
    server.serveStatus("Test", () -> {
      throw new IllegalStateException("store\nclosed");
    });
    for (String path : new String[] {"/api/status", "/"}) {
      HttpResponse<String> r = Scrape.get(server.address(), path);
      assertEquals(500, r.statusCode(), path);
      assertEquals("status unavailable: IllegalStateException: store closed\n", r.body());
    }
    assertEquals(200, Scrape.get(server.address(), "/health").statusCode(), "the port keeps serving");
  }

  @Test
  void otherMethodsAreRefused() throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics");
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, r.statusCode());
    assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void closeStopsListening() {
    InetSocketAddress address = server.address();
    server.close();
    assertThrows(IOException.class, () -> Scrape.get(address, "/health"));
  }
}
