package io.sluice.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.HandshakeFailure;
import io.sluice.common.rpc.RpcServerObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Records an {@link io.sluice.common.rpc.RpcServer}'s traffic as Micrometer meters:
 *
 * <ul>
 *   <li>{@value #CALLS} (counter; tags {@code method}, the method number, and {@code status}),
 *   <li>{@value #LATENCY} (timer with a fixed-bucket histogram, 250 µs to 30 s; tag {@code method}),
 *   <li>{@value #IN_FLIGHT} (gauge: calls started and not yet answered or aborted),
 *   <li>{@value #REJECTED} (counter: corrupt or oversized frames, each of which closed its connection),
 *   <li>{@value #CONNECTIONS} (gauge: open connections),
 *   <li>{@value #HANDSHAKE_FAILURES} (counter; tag {@code reason}, a {@link HandshakeFailure} in lower case:
 *       connections refused before they were served, each also logged at WARN; those over the connection limit
 *       in one WARN line per interval).
 * </ul>
 *
 * <p>The server's identity ({@code server="master"}) is a common tag of the registry, not added here.
 */
public final class RpcServerMetrics implements RpcServerObserver {
  public static final String CALLS = "sluice.rpc.server.calls";
  public static final String LATENCY = "sluice.rpc.server.latency";
  public static final String IN_FLIGHT = "sluice.rpc.server.inflight";
  public static final String REJECTED = "sluice.rpc.server.frames.rejected";
  public static final String CONNECTIONS = "sluice.rpc.server.connections";
  public static final String HANDSHAKE_FAILURES = "sluice.rpc.handshake.failures";

  /*
   * The hot path is one array read per call and one per answer: meters are created the first time a method (and a
   * status of it) is seen and cached by number. Method numbers are small enums, so an array covers them; a number
   * outside it (a buggy or hostile client) falls back to a map lookup.
   */
  private static final int DIRECT_METHODS = 256;
  private static final Status[] STATUSES = Status.values();
  /*
   * Fixed histogram buckets, from a metadata read served from memory (sub-millisecond) to a call that hit the
   * 30 s client timeout. 15 series per method instead of Micrometer's ~85 default percentile buckets, and the same
   * boundaries on every server, so histograms aggregate across masters and workers.
   */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30)};

  private final MeterRegistry registry;
  private final AtomicReferenceArray<MethodMeters> direct = new AtomicReferenceArray<>(DIRECT_METHODS);
  private final Map<Integer, MethodMeters> overflow = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Counter rejected;
  private final Counter[] handshakeFailures = new Counter[HandshakeFailure.values().length];

  public RpcServerMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get).description("RPC calls being served")
        .register(registry);
    Gauge.builder(CONNECTIONS, connections, AtomicInteger::get).description("Open RPC connections")
        .register(registry);
    rejected = Counter.builder(REJECTED).description("Corrupt or oversized RPC frames; each closed its connection")
        .register(registry);
    // Every reason registered up front, so a dashboard sees zeros rather than missing series.
    for (HandshakeFailure reason : HandshakeFailure.values()) {
      handshakeFailures[reason.ordinal()] = Counter.builder(HANDSHAKE_FAILURES)
          .description("Connections refused before being served (TLS, shared secret, protocol, timeout, connection limit), by reason")
          .tag("reason", reason.tag()).register(registry);
    }
  }

  @Override
  public void handshakeFailed(HandshakeFailure reason) {
    handshakeFailures[reason.ordinal()].increment();
  }

  @Override
  public void connectionOpened() {
    connections.incrementAndGet();
  }

  @Override
  public void connectionClosed() {
    connections.decrementAndGet();
  }

  @Override
  public void frameRejected() {
    rejected.increment();
  }

  @Override
  public void callStarted(int method) {
    inFlight.incrementAndGet();
  }

  @Override
  public void callEnded(int method, Status status, long elapsedNanos) {
    MethodMeters m = meters(method);
    m.latency.record(elapsedNanos, TimeUnit.NANOSECONDS);
    m.calls(status).increment();
    // Last, so whoever sees the call leave the in-flight count also sees it counted.
    inFlight.decrementAndGet();
  }

  private MethodMeters meters(int method) {
    if (method >= 0 && method < DIRECT_METHODS) {
      MethodMeters m = direct.get(method);
      if (m == null) {
        // A race creates two holders of the same registered meters (the registry deduplicates): harmless.
        m = new MethodMeters(registry, method);
        direct.compareAndSet(method, null, m);
      }
      return m;
    }
    return overflow.computeIfAbsent(method, k -> new MethodMeters(registry, k));
  }

  /** The meters of one method number. */
  private static final class MethodMeters {
    private final MeterRegistry registry;
    private final String method;
    private final Timer latency;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(STATUSES.length);

    MethodMeters(MeterRegistry registry, int method) {
      this.registry = registry;
      this.method = Integer.toString(method);
      this.latency = Timer.builder(LATENCY).description("Time from a call's arrival to its answer")
          .tag("method", this.method).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    Counter calls(Status status) {
      int i = status.ordinal();
      Counter c = byStatus.get(i);
      if (c == null) {
        c = Counter.builder(CALLS).description("RPC calls answered or aborted, by method and status")
            .tag("method", method).tag("status", status.name()).register(registry);
        byStatus.set(i, c);
      }
      return c;
    }
  }
}
