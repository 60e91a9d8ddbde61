package io.sluice.common.metrics;

import com.google.protobuf.MessageOrBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.common.rpc.RpcServerObserver;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of one server process (master, worker, FUSE mount): a Prometheus registry whose every meter carries
 * the tag {@code server=<name>}, the JVM meters, the RPC meters for its {@link io.sluice.common.rpc.RpcServer} once
 * it asks for them ({@link #rpcObserver()}; the FUSE mount serves no RPC and shows none), and the HTTP port serving
 * them ({@link MetricsHttpServer}). The server adds its own meters to {@link #registry()}.
 *
 * <p>The HTTP port is auxiliary: when it is already taken (several servers on one host sharing a default) this
 * logs one warning and the server runs without it, rather than a monitoring port stopping the data path. Any other
 * failure to bind fails {@link #start}.
 */
public final class ServerMetrics implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);

  private final PrometheusMeterRegistry registry;
  private final JvmMetrics jvm;
  private RpcServerMetrics rpc;
  private final MetricsHttpServer http;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ServerMetrics(PrometheusMeterRegistry registry, JvmMetrics jvm, MetricsHttpServer http) {
    this.registry = registry;
    this.jvm = jvm;
    this.http = http;
  }

  /**
   * Creates the registry and serves it over HTTP on {@code bind}.
   *
   * @param server the value of the {@code server} tag and the name in logs ("master", "worker", "fuse")
   * @param bind port 0 picks a free port (tests)
   */
  public static ServerMetrics start(String server, InetSocketAddress bind) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("server", server);
    JvmMetrics jvm = new JvmMetrics(registry);
    try {
      return new ServerMetrics(registry, jvm, MetricsHttpServer.start(server, bind, registry));
    } catch (BindException e) {
      LOG.warn("{}: HTTP port {} is taken ({}); serving without /metrics", server, bind, e.getMessage());
      return new ServerMetrics(registry, jvm, null);
    } catch (IOException | RuntimeException e) {
      jvm.close();
      registry.close();
      throw e;
    }
  }

  /** Where a server adds its own meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The observer to give the server's {@link io.sluice.common.rpc.RpcServer}; registers the RPC meters. */
  public synchronized RpcServerObserver rpcObserver() {
    if (rpc == null) {
      rpc = new RpcServerMetrics(registry);
    }
    return rpc;
  }

  /**
   * Serves the server's status on {@code /api/status} and {@code /} (see {@link MetricsHttpServer#serveStatus});
   * nothing when the HTTP port was taken.
   */
  public void serveStatus(String title, Supplier<? extends MessageOrBuilder> status) {
    if (http != null) {
      http.serveStatus(title, status);
    }
  }

  /** The HTTP address actually bound, or empty when the port was taken. */
  public Optional<InetSocketAddress> httpAddress() {
    return http == null ? Optional.empty() : Optional.of(http.address());
  }

  /** Stops serving HTTP and unbinds the JVM meters. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (http != null) {
      http.close();
    }
    jvm.close();
    registry.close();
  }
}
