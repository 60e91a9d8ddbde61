package io.sluice.tests.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between two processes that injects network faults where {@code tc netem} cannot run (this kernel has
 * no netem) and where a fault on {@code lo} would hit every other process of the machine: it forwards a listen port
 * to a target and can
 * <ul>
 *   <li>delay traffic: each chunk read is held {@link #delay} before it is forwarded (latency, and a throughput cap
 *       of one chunk per delay per direction);</li>
 *   <li>partition: {@link #partition} stops forwarding in both directions, end-of-stream included, keeping every
 *       socket open, and accepts new connections without connecting them onward, as dropped packets would look to
 *       both ends; {@link #heal} lets the held data through;</li>
 *   <li>cut: {@link #cutAll} resets every open connection;</li>
 *   <li>{@link #partitionAfter}: partition right after a given text passed towards the client (a plain-text
 *       protocol's response), to fault the middle of a multi-request exchange deterministically.</li>
 * </ul>
 */
public final class FaultProxy implements AutoCloseable {
  private static final int CHUNK = 64 << 10;

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final ExecutorService threads;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private final AtomicLong toClient = new AtomicLong();
  private final AtomicLong toTarget = new AtomicLong();
  private boolean partitioned;  // guarded by gate
  private volatile long delayNanos;
  private volatile byte[] marker;
  private volatile CountDownLatch markerSeen;

  private FaultProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fault-proxy-" + server.getLocalPort());
      t.setDaemon(true);
      return t;
    });
  }

  /** Listens on {@code listen} (port 0: a free one) and forwards every connection to {@code target}. */
  public static FaultProxy start(InetSocketAddress listen, InetSocketAddress target) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(listen, 50);
    FaultProxy p = new FaultProxy(s, target);
    p.threads.execute(p::acceptLoop);
    return p;
  }

  /** Listens on a free loopback port. */
  public static FaultProxy start(InetSocketAddress target) throws IOException {
    return start(new InetSocketAddress("127.0.0.1", 0), target);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Bytes forwarded (or being forwarded) from the target to clients so far. */
  public long bytesToClient() {
    return toClient.get();
  }

  /** Bytes forwarded (or being forwarded) from clients to the target so far. */
  public long bytesToTarget() {
    return toTarget.get();
  }

  /** Holds every chunk this long before forwarding it; zero forwards at once. */
  public void delay(Duration d) {
    delayNanos = d.toNanos();
  }

  /** Stops forwarding anything (data and end-of-stream) in both directions, keeping every socket open. */
  public void partition() {
    synchronized (gate) {
      partitioned = true;
    }
  }

  /** Ends a partition: what was held goes through, new connections are connected onward. */
  public void heal() {
    synchronized (gate) {
      partitioned = false;
      gate.notifyAll();
    }
  }

  /**
   * Partitions right after the chunk containing {@code text} was forwarded to a client (matched within one chunk
   * or across two). The returned latch opens at that moment.
   */
  public CountDownLatch partitionAfter(String text) {
    CountDownLatch seen = new CountDownLatch(1);
    markerSeen = seen;
    marker = text.getBytes(StandardCharsets.ISO_8859_1);
    return seen;
  }

  /** Resets every open connection (RST, not FIN). */
  public void cutAll() {
    for (Socket s : sockets) {
      reset(s);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;  // closed
      }
      sockets.add(client);
      threads.execute(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      awaitHealed();
      sockets.add(upstream);
      upstream.connect(target, 5_000);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    try {
      threads.execute(() -> pump(client, upstream, toTarget, false));
      threads.execute(() -> pump(upstream, client, toClient, true));
    } catch (RejectedExecutionException closing) {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private void pump(Socket from, Socket to, AtomicLong counter, boolean towardsClient) {
    byte[] buf = new byte[CHUNK];
    String tail = "";
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buf)) >= 0; ) {
        awaitHealed();
        long delay = delayNanos;
        if (delay > 0) {
          TimeUnit.NANOSECONDS.sleep(delay);  // the injected latency itself
        }
        awaitHealed();
        counter.addAndGet(n);  // before the write: a reader that got these bytes sees them counted
        out.write(buf, 0, n);
        out.flush();
        if (towardsClient && marker != null) {
          tail = watchForMarker(tail, buf, n);
        }
      }
      awaitHealed();  // a partition holds end-of-stream too
    } catch (IOException | InterruptedException e) {
      // one end went away or the proxy closes: the other end goes too
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  /** Partitions when the marker has passed; returns the text to keep for a match across chunks. */
  private String watchForMarker(String tail, byte[] buf, int n) {
    byte[] m = marker;
    if (m == null) {
      return "";
    }
    String text = tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    String wanted = new String(m, StandardCharsets.ISO_8859_1);
    if (text.contains(wanted)) {
      synchronized (gate) {
        if (marker == m) {
          marker = null;
          partitioned = true;
          markerSeen.countDown();
        }
      }
      return "";
    }
    return text.substring(Math.max(0, text.length() - wanted.length() + 1));
  }

  private void awaitHealed() throws InterruptedException {
    synchronized (gate) {
      while (partitioned) {
        gate.wait();
      }
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops listening, resets every connection and ends its threads. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    cutAll();
    heal();
    threads.shutdownNow();
  }
}
