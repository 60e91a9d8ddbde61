package io.sluice.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's HTTP port, on the JDK's built-in server: {@code GET /metrics} answers the registry's scrape in
 * Prometheus text format 0.0.4, {@code GET /health} answers 200 "ok" while the process serves, any other path 404
 * and any other method 405. One thread answers requests in turn: scrapes are rare and cheap.
 */
public final class MetricsHttpServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);
  /** The Prometheus text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts serving.
   *
   * @param name for logs and the thread name ("master", "worker")
   * @param bind where to listen; port 0 picks a free port (see {@link #address()})
   * @throws IOException when the address cannot be bound (e.g. {@link java.net.BindException}: port in use)
   */
  public static MetricsHttpServer start(String name, InetSocketAddress bind, PrometheusMeterRegistry registry)
      throws IOException {
    HttpServer server = HttpServer.create(bind, 0);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", exchange -> answer(exchange, registry));
    server.start();
    LOG.info("{} serving /metrics and /health on http://{}:{}/", name, server.getAddress().getHostString(),
        server.getAddress().getPort());
    return new MetricsHttpServer(server, executor);
  }

  private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      boolean known = path.equals("/metrics") || path.equals("/health");
      if (!known) {
        send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
      } else if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
      } else if (path.equals("/metrics")) {
        send(exchange, 200, CONTENT_TYPE, registry.scrape());
      } else {
        send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
      }
    }
  }

  private static void send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The address actually bound. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops listening at once and ends the serving thread. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
