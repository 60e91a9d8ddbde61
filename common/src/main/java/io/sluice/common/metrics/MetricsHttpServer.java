package io.sluice.common.metrics;

import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's HTTP port, on the JDK's built-in server: {@code GET /metrics} answers the registry's scrape in
 * Prometheus text format 0.0.4, {@code GET /health} answers 200 "ok" while the process serves, {@code GET
 * /api/status} the server's status message as JSON and {@code GET /} (or {@code /index.html}) the same status as a
 * page ({@link StatusPage}); any other path 404 and any other method 405. Until the server gives its status
 * ({@link #serveStatus}) both status paths answer 503; a status that fails to build answers 500 with a one-line
 * reason. One thread answers requests in turn: scrapes are rare and cheap.
 */
public final class MetricsHttpServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);
  /** The Prometheus text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** The type of {@code /api/status}. */
  public static final String JSON_TYPE = "application/json; charset=utf-8";
  private static final String TEXT_TYPE = "text/plain; charset=utf-8";
  // Every field, zeros included: a script reading "usedBytes" must not find it missing on an empty worker.
  private static final JsonFormat.Printer JSON = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final String name;
  /** Set once the server's parts are up; it may start serving metrics well before (a master replaying its log). */
  private volatile StatusSource status;

  private record StatusSource(String title, Supplier<? extends MessageOrBuilder> supplier) {}

  private MetricsHttpServer(String name, HttpServer server, ExecutorService executor,
      PrometheusMeterRegistry registry) {
    this.name = name;
    this.server = server;
    this.executor = executor;
    this.registry = registry;
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
    MetricsHttpServer http = new MetricsHttpServer(name, server, executor, registry);
    server.createContext("/", http::answer);
    server.start();
    LOG.info("{} serving /metrics, /health, /api/status and / on http://{}:{}/", name,
        server.getAddress().getHostString(), server.getAddress().getPort());
    return http;
  }

  /**
   * Serves {@code status} on {@code /api/status} and {@code /}, built anew for each request.
   *
   * @param title the status page's heading, e.g. "Sluice master"
   * @param status called on the HTTP thread; may throw, which answers 500
   */
  public void serveStatus(String title, Supplier<? extends MessageOrBuilder> status) {
    this.status = new StatusSource(title, status);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      boolean page = path.equals("/") || path.equals("/index.html");
      boolean known = page || path.equals("/metrics") || path.equals("/health") || path.equals("/api/status");
      if (!known) {
        send(exchange, 404, TEXT_TYPE, "not found\n");
      } else if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, TEXT_TYPE, "only GET\n");
      } else if (path.equals("/metrics")) {
        send(exchange, 200, CONTENT_TYPE, registry.scrape());
      } else if (path.equals("/health")) {
        send(exchange, 200, TEXT_TYPE, "ok\n");
      } else {
        answerStatus(exchange, page);
      }
    }
  }

  private void answerStatus(HttpExchange exchange, boolean page) throws IOException {
    StatusSource source = status;
    if (source == null) {
      send(exchange, 503, TEXT_TYPE, name + " is starting: no status yet\n");
      return;
    }
    String body;
    try {
      MessageOrBuilder message = source.supplier().get();
      body = page ? StatusPage.render(source.title(), message) : JSON.print(message);
    } catch (Exception e) {
      // Expected while parts stop or fail: one line for the caller and the log, no stack trace.
      String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      reason = reason.replaceAll("\\s+", " ");
      LOG.warn("{}: status failed: {}", name, reason);
      send(exchange, 500, TEXT_TYPE, "status unavailable: " + reason + "\n");
      return;
    }
    send(exchange, 200, page ? "text/html; charset=utf-8" : JSON_TYPE, page ? body : body + "\n");
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
