package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.sluice.client.SluiceClient;
import io.sluice.common.auth.SharedSecret;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.CapturedLog;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 9: a real master and worker started with a shared secret (from an owner-only file). A client with the
 * secret writes and reads a file through the worker, so client -> master, client -> worker and worker -> master
 * connections are all authenticated; a client without it, or with another, is refused; and the secret shows up in
 * no log line, no {@code /metrics} and no {@code /api/status}.
 */
class SecretAuthTest {
  @TempDir
  Path dir;

  @Test
  void onlyProcessesKnowingTheSecretTalkAndTheSecretNeverShows() throws Exception {
    String secret = "e2e-" + UUID.randomUUID();
    Path secretFile = dir.resolve("secret");
    Files.writeString(secretFile, secret + "\n");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));

    CapturedLog log = new CapturedLog();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger sluice = (Logger) LoggerFactory.getLogger("io.sluice");
    Level sluiceLevel = sluice.getLevel();
    log.start();
    root.addAppender(log);
    sluice.setLevel(Level.DEBUG); // a secret must not leak at any level, debug included
    try (LocalCluster cluster = new LocalCluster(dir, "sluice.security.secret.file", secretFile.toString(),
        "sluice.master.http.port", "0", "sluice.worker.http.port", "0",
        // Reads through the worker's data server, not the block file, so that path is authenticated too.
        "sluice.user.short.circuit.enabled", "false", "sluice.user.block.size", "1m")) {
      cluster.startMaster();
      cluster.startWorker();
      byte[] data = new byte[3 << 20];
      new Random(9).nextBytes(data);
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client); // the worker registered: worker -> master passed the handshake
        try (OutputStream out = client.create("/secret-test.bin")) {
          out.write(data);
        }
        try (InputStream in = client.open("/secret-test.bin")) {
          assertArrayEquals(data, in.readAllBytes());
        }
      }

      SluiceConf noSecret = cluster.conf().with(CommonKeys.SECURITY_SECRET_FILE, "");
      assertRefused(noSecret, "presented none");
      assertRefused(noSecret.with(CommonKeys.SECURITY_SECRET, "not-" + secret), "secrets differ");

      // Straight to the worker's data port, as a client that skips the master would.
      InetSocketAddress worker = new InetSocketAddress("127.0.0.1",
          Integer.parseInt(cluster.conf().explicitValues().get("sluice.worker.data.port")));
      RpcException e = assertThrows(RpcException.class, () -> RpcClient.connect(worker, RpcOptions.from(noSecret)));
      assertEquals(Status.PERMISSION_DENIED, e.status());
      RpcClient.connect(worker, RpcOptions.from(noSecret).withSecret(SharedSecret.of(secret))).close();

      for (InetSocketAddress http : List.of(cluster.masterHttp().orElseThrow(), cluster.workerHttp().orElseThrow())) {
        for (String page : List.of("/metrics", "/api/status", "/")) {
          assertFalse(get(http, page).contains(secret), http + page + " shows the secret");
        }
      }
    } finally {
      root.detachAppender(log);
      sluice.setLevel(sluiceLevel);
    }
    assertTrue(log.events().stream().anyMatch(ev -> ev.getLevel() == Level.WARN
        && ev.getFormattedMessage().contains("authentication failed for connection from /127.0.0.1:")),
        "the servers log each refusal");
    for (ILoggingEvent ev : log.events()) {
      String text = ev.getFormattedMessage() + throwableText(ev.getThrowableProxy());
      assertFalse(text.contains(secret), "logged the secret: " + text);
    }
  }

  /** A client with {@code conf} fails its first call, at once, with PERMISSION_DENIED saying why. */
  private static void assertRefused(SluiceConf conf, String why) {
    try (SluiceClient client = SluiceClient.connect(conf)) {
      long started = System.nanoTime();
      RpcException e = assertThrows(RpcException.class, () -> client.getStatus("/"));
      assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
      assertTrue(e.getMessage().contains("authentication failed") && e.getMessage().contains(why), e.getMessage());
      assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "no retrying until a timeout");
    }
  }

  private static String throwableText(IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    for (IThrowableProxy p = t; p != null; p = p.getCause()) {
      sb.append(' ').append(p.getClassName()).append(": ").append(p.getMessage());
    }
    return sb.toString();
  }

  private static String get(InetSocketAddress http, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + http.getHostString() + ":"
        + http.getPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
