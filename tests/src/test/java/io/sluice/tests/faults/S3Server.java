package io.sluice.tests.faults;

import io.sluice.ufs.s3.S3Options;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server (S3Proxy, a child JVM) that can be killed and started again on the same port with the same
 * objects: unlike {@code S3ProxyProcess}'s in-memory store, it keeps its buckets in a directory (S3Proxy's
 * {@code filesystem} store: a bucket is a directory, an object a file under it), so a test can also create many
 * objects quickly by writing files.
 */
public final class S3Server implements AutoCloseable {
  private static final String IDENTITY = "fault-identity";
  private static final String CREDENTIAL = "fault-credential";

  private final Path workDir;
  private final int port;
  private Process process;

  private S3Server(Path workDir, int port) {
    this.workDir = workDir;
    this.port = port;
  }

  /** Starts a server on {@code port} keeping its buckets under {@code workDir/buckets}. */
  public static S3Server start(Path workDir, int port) throws IOException, InterruptedException {
    S3Server s = new S3Server(workDir, port);
    Files.createDirectories(s.buckets());
    Files.writeString(workDir.resolve("s3proxy.properties"), String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + IDENTITY,
        "s3proxy.credential=" + CREDENTIAL,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + s.buckets(),
        "jclouds.identity=" + IDENTITY,
        "jclouds.credential=" + CREDENTIAL,
        ""));
    s.restart();
    return s;
  }

  /** The directory of bucket {@code name}: a file at {@code <dir>/<key>} is the object {@code key}. */
  public Path bucket(String name) throws IOException {
    return Files.createDirectories(buckets().resolve(name));
  }

  private Path buckets() {
    return workDir.resolve("buckets");
  }

  public int port() {
    return port;
  }

  /** Connector options reaching this server at {@code endpointPort} (its own port, or a proxy's in front). */
  public static Map<String, String> options(int endpointPort) {
    return Map.of(
        S3Options.ENDPOINT, "http://127.0.0.1:" + endpointPort,
        S3Options.REGION, "us-east-1",
        S3Options.PATH_STYLE, "true",
        S3Options.ACCESS_KEY, IDENTITY,
        S3Options.SECRET_KEY, CREDENTIAL);
  }

  /** Starts the server (again) on its port and waits until it accepts connections. */
  public void restart() throws IOException, InterruptedException {
    String jar = System.getProperty("sluice.test.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found (sluice.test.s3proxy.jar=" + jar + ")");
    }
    Path log = workDir.resolve("s3proxy.log");
    process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar,
        "--properties", workDir.resolve("s3proxy.properties").toString()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("S3Proxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);  // polling for the port, bounded by the deadline
      }
    }
    throw new IOException("S3Proxy did not listen on " + port + ":\n" + Files.readString(log));
  }

  /** SIGKILL, and waits until it is gone (its port then refuses connections). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("S3Proxy did not die");
    }
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
