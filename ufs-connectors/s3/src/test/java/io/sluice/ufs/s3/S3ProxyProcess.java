package io.sluice.ufs.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: S3Proxy with its in-memory blob store (or, from {@link #startOnDisk}, its filesystem
 * one), run as a child JVM from the self-contained jar the build copies next to the tests, on a free loopback port.
 * Its output goes to a log file in {@code workDir}.
 */
public final class S3ProxyProcess implements AutoCloseable {
  static final String IDENTITY = "test-identity";
  static final String CREDENTIAL = "test-credential";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final URI endpoint;
  private final Path log;

  private S3ProxyProcess(Process process, URI endpoint, Path log) {
    this.process = process;
    this.endpoint = endpoint;
    this.log = log;
  }

  /**
   * Starts a server keeping its objects in its heap, writing its files and log under {@code workDir}; needs the
   * sluice.test.s3proxy.jar property. Its heap limits objects to about 64 MiB.
   */
  public static S3ProxyProcess start(Path workDir) throws IOException, InterruptedException {
    return start(workDir, List.of("jclouds.provider=transient"));
  }

  /**
   * Starts a server keeping its objects in files under {@code workDir/blobs} (S3Proxy's {@code filesystem} store),
   * for objects larger than its heap holds, e.g. a benchmark's 256 MiB files.
   */
  public static S3ProxyProcess startOnDisk(Path workDir) throws IOException, InterruptedException {
    Path blobs = Files.createDirectories(workDir.resolve("blobs"));
    return start(workDir, List.of("jclouds.provider=filesystem", "jclouds.filesystem.basedir=" + blobs));
  }

  private static S3ProxyProcess start(Path workDir, List<String> store) throws IOException, InterruptedException {
    String jar = System.getProperty("sluice.test.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found (sluice.test.s3proxy.jar=" + jar
          + "); run the tests through Maven, which copies it");
    }
    // S3Proxy cannot report a port it picked itself; take a free one and hand it over (a race only with
    // another process binding the same port in between, which the start check below would catch).
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Path props = workDir.resolve("s3proxy.properties");
    List<String> lines = new ArrayList<>(List.of(
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + IDENTITY,
        "s3proxy.credential=" + CREDENTIAL,
        "jclouds.identity=" + IDENTITY,
        "jclouds.credential=" + CREDENTIAL));
    lines.addAll(store);
    lines.add("");
    Files.writeString(props, String.join("\n", lines));
    Path log = workDir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar, "--properties", props.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    S3ProxyProcess proxy = new S3ProxyProcess(p, endpoint, log);
    try {
      proxy.awaitListening(port);
    } catch (IOException | InterruptedException | RuntimeException e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  private void awaitListening(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("S3Proxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IOException("S3Proxy did not listen on " + port + " within " + START_TIMEOUT + ":\n"
        + Files.readString(log));
  }

  public URI endpoint() {
    return endpoint;
  }

  /** The connector options that reach this server (a mount's options). */
  public Map<String, String> options() {
    return Map.of(
        S3Options.ENDPOINT, endpoint.toString(),
        S3Options.REGION, "us-east-1",
        S3Options.PATH_STYLE, "true",
        S3Options.ACCESS_KEY, IDENTITY,
        S3Options.SECRET_KEY, CREDENTIAL);
  }

  public void createBucket(String bucket) throws java.io.IOException {
    try (S3Client s3 = S3UfsFactory.client(S3Options.parse(options()))) {
      s3.createBucket(r -> r.bucket(bucket));
    }
  }

  /** Stops the server and waits for it to exit, killing it if it does not within 10 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
