package io.sluice.common.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.sluice.common.auth.SharedSecret;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.RpcServerMetrics;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.Handshake;
import io.sluice.common.proto.Status;
import io.sluice.common.testing.CapturedLog;
import io.sluice.common.testing.RawRpcPeer;
import io.sluice.common.testing.TestCertificates;
import io.sluice.common.tls.RpcTls;
import io.sluice.common.tls.TlsKeys;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * TLS on real sockets with certificates made at run time ({@link TestCertificates}): members talk, and a plaintext
 * client, a client trusting another CA, a stranger's client certificate and a server certificate naming another
 * host are each refused, logged by the server and counted in {@value RpcServerMetrics#HANDSHAKE_FAILURES}.
 */
class RpcTlsTest {
  private static final int METHOD_STAT = 5;
  private static TestCertificates certs;

  @TempDir
  Path dir;

  private final List<RpcServer> servers = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CapturedLog log = new CapturedLog();
  private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(ServerHandshakeHandler.class),
      (Logger) LoggerFactory.getLogger(ServerTlsHandler.class));

  /** Answers a stat with the caller's user as the owner. */
  private final RpcHandler handler = call -> call.respond(GetStatusResponse.newBuilder()
      .setInfo(FileInfo.newBuilder().setOwner(call.user())).build());

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.shared();
  }

  @BeforeEach
  void captureLog() {
    log.start();
    loggers.forEach(l -> l.addAppender(log));
  }

  @AfterEach
  void stop() {
    loggers.forEach(l -> l.detachAppender(log));
    servers.forEach(RpcServer::close);
  }

  /** A member's options: its certificate, trusting the test CA. */
  private static SluiceConf member() {
    return certs.member(SluiceConf.defaults());
  }

  /** A client's: no certificate of its own, trusting the test CA. */
  private static SluiceConf trustingClient() {
    return SluiceConf.defaults().with(TlsKeys.ENABLED, "true").with(TlsKeys.TRUST, certs.caCert().toString());
  }

  private static RpcOptions options(SluiceConf conf, Transport t) {
    return RpcOptions.from(conf).withTransport(t).withUser("alice").withCallTimeout(Duration.ofSeconds(10));
  }

  private InetSocketAddress start(SluiceConf conf, Transport t, String host) throws RpcException {
    RpcServer s = new RpcServer("tls-test", new InetSocketAddress(host, 0), handler, options(conf, t),
        new RpcServerMetrics(registry)).start();
    servers.add(s);
    return s.address();
  }

  private InetSocketAddress start(SluiceConf conf) throws RpcException {
    return start(conf, Transport.NIO, "127.0.0.1");
  }

  private static String owner(RpcClient c) throws RpcException {
    return c.call(METHOD_STAT, GetStatusRequest.newBuilder().setPath("/").build(), GetStatusResponse.parser())
        .getInfo().getOwner();
  }

  private double failures(HandshakeFailure reason) {
    return registry.get(RpcServerMetrics.HANDSHAKE_FAILURES).tag("reason", reason.tag()).counter().count();
  }

  /** Waits for the server's side of a refusal: the client may learn of it before the server counted it. */
  private void awaitFailures(HandshakeFailure reason, double n) throws InterruptedException {
    await(() -> failures(reason) == n, reason + " failures counted: " + failures(reason));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(10);
    }
  }

  private void assertLogged(String text) throws InterruptedException {
    await(() -> log.events().stream().anyMatch(e -> e.getLevel() == Level.WARN
        && e.getFormattedMessage().contains(text)), "a WARN line containing '" + text + "'");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void membersTalkOverTls(Transport t) throws Exception {
    InetSocketAddress server = start(member(), t, "127.0.0.1");
    try (RpcClient c = RpcClient.connect(server, options(trustingClient(), t))) {
      assertEquals("alice", owner(c));
    }
    EventLoopGroup loop = t.newGroup(1, "tls-test-loop");
    try (RpcClient async = RpcClient.connectAsync(server, options(member(), t).withUser("bob"), loop.next())
        .get(10, TimeUnit.SECONDS)) {
      assertEquals("bob", owner(async));
    } finally {
      loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    for (HandshakeFailure reason : HandshakeFailure.values()) {
      assertEquals(0, failures(reason), reason.tag());
    }
  }

  @Test
  void aPlaintextClientIsToldThatTlsIsRequiredCountedAndClosed() throws Exception {
    InetSocketAddress server = start(member());
    RpcException e = assertThrows(RpcException.class,
        () -> RpcClient.connect(server, options(SluiceConf.defaults(), Transport.NIO)));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().contains("requires TLS") && e.getMessage().contains(TlsKeys.ENABLED.name()),
        e.getMessage());
    awaitFailures(HandshakeFailure.PLAINTEXT, 1);
    assertLogged("does not speak TLS");

    // The same refusal for a raw peer, which then sees the connection closed; nothing it sent was served.
    try (RawRpcPeer raw = new RawRpcPeer(server)) {
      raw.write(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE).build(),
          Handshake.newBuilder().setVersion(1).setUser("mallory").setClientId("c").build().toByteArray(),
          new byte[0]);
      raw.flush();
      RawRpcPeer.Received answer = raw.read();
      assertEquals(FrameKind.HANDSHAKE, answer.header().getKind());
      assertEquals(Status.PERMISSION_DENIED, answer.header().getStatus());
      assertTrue(raw.drainUntilClosed(5000), "closed by the server");
    }
    awaitFailures(HandshakeFailure.PLAINTEXT, 2);
  }

  @Test
  void aClientTrustingAnotherCaRefusesTheServer() throws Exception {
    InetSocketAddress server = start(member());
    SluiceConf stranger = trustingClient().with(TlsKeys.TRUST, certs.strangerCert().toString());
    RpcException e = assertThrows(RpcException.class,
        () -> RpcClient.connect(server, options(stranger, Transport.NIO)));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().startsWith("authentication failed: TLS handshake with"), e.getMessage());
    awaitFailures(HandshakeFailure.TLS, 1);
    assertLogged("TLS handshake failed for connection from");
  }

  @Test
  void aTlsClientToAPlaintextServerSaysWhatIsWrong() throws Exception {
    InetSocketAddress server = start(SluiceConf.defaults());
    RpcException e = assertThrows(RpcException.class,
        () -> RpcClient.connect(server, options(trustingClient(), Transport.NIO)));
    assertTrue(e.getMessage().contains("TLS handshake with") && e.getMessage().contains(TlsKeys.ENABLED.name()),
        e.getMessage());
  }

  @Test
  void withTlsAndASecretBothAreRequired() throws Exception {
    SharedSecret secret = SharedSecret.of("correct horse battery staple");
    RpcServer s = new RpcServer("tls-test", new InetSocketAddress("127.0.0.1", 0), handler,
        options(member(), Transport.NIO).withSecret(secret), new RpcServerMetrics(registry)).start();
    servers.add(s);
    try (RpcClient c = RpcClient.connect(s.address(), options(trustingClient(), Transport.NIO).withSecret(secret))) {
      assertEquals("alice", owner(c));
    }
    RpcException noSecret = assertThrows(RpcException.class,
        () -> RpcClient.connect(s.address(), options(trustingClient(), Transport.NIO)));
    assertEquals(Status.PERMISSION_DENIED, noSecret.status());
    assertTrue(noSecret.getMessage().contains("presented none"), noSecret.getMessage());
    awaitFailures(HandshakeFailure.SECRET, 1);

    RpcException noTls = assertThrows(RpcException.class,
        () -> RpcClient.connect(s.address(), options(SluiceConf.defaults(), Transport.NIO).withSecret(secret)));
    assertTrue(noTls.getMessage().contains("requires TLS"), noTls.getMessage());
    awaitFailures(HandshakeFailure.PLAINTEXT, 1);
    assertEquals(0, failures(HandshakeFailure.TLS));
  }

  @Test
  void withClientAuthOnlyAClientCertificateOfTheTrustedCaIsServed() throws Exception {
    InetSocketAddress server = start(member().with(TlsKeys.CLIENT_AUTH, "true"));
    try (RpcClient c = RpcClient.connect(server, options(member(), Transport.NIO))) {
      assertEquals("alice", owner(c));
    }
    RpcException none = assertThrows(RpcException.class,
        () -> RpcClient.connect(server, options(trustingClient(), Transport.NIO)));
    assertEquals(Status.PERMISSION_DENIED, none.status(), none.getMessage());
    awaitFailures(HandshakeFailure.TLS, 1);

    SluiceConf stranger = trustingClient().with(TlsKeys.CERT, certs.strangerCert().toString())
        .with(TlsKeys.KEY, certs.strangerKey().toString());
    RpcException other = assertThrows(RpcException.class,
        () -> RpcClient.connect(server, options(stranger, Transport.NIO)));
    assertEquals(Status.PERMISSION_DENIED, other.status(), other.getMessage());
    awaitFailures(HandshakeFailure.TLS, 2);
  }

  /** The node's certificate names 127.0.0.1 and localhost; 127.0.0.2 is loopback too, but not named. */
  @Test
  void aServerCertificateNotNamingTheHostDialledIsRefusedUnlessVerificationIsOff() throws Exception {
    InetSocketAddress server = start(member(), Transport.NIO, "127.0.0.2");
    RpcException e = assertThrows(RpcException.class,
        () -> RpcClient.connect(server, options(trustingClient(), Transport.NIO)));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().contains("127.0.0.2"), e.getMessage());
    SluiceConf lax = trustingClient().with(TlsKeys.VERIFY_HOSTNAME, "false");
    try (RpcClient c = RpcClient.connect(server, options(lax, Transport.NIO))) {
      assertEquals("alice", owner(c));
    }
  }

  @Test
  void aMisconfiguredProcessStopsAtStartNamingTheProblem() throws Exception {
    RpcOptions noCert = options(trustingClient(), Transport.NIO);
    RpcServer server = new RpcServer("tls-test", new InetSocketAddress("127.0.0.1", 0), handler, noCert);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, server::start);
    assertTrue(e.getMessage().contains(TlsKeys.CERT.name()), e.getMessage());

    SluiceConf missing = member().with(TlsKeys.CERT, certs.caCert().resolveSibling("missing.pem").toString());
    e = assertThrows(IllegalArgumentException.class, () -> RpcTls.from(missing));
    assertTrue(e.getMessage().contains("cannot read") && e.getMessage().contains("missing.pem"), e.getMessage());

    SluiceConf mismatched = member().with(TlsKeys.KEY, certs.strangerKey().toString());
    e = assertThrows(IllegalArgumentException.class, () -> RpcTls.from(mismatched));
    assertTrue(e.getMessage().contains("is not the private key"), e.getMessage());

    SluiceConf notPem = member().with(TlsKeys.TRUST, certs.nodeKey().toString());
    e = assertThrows(IllegalArgumentException.class, () -> RpcTls.from(notPem));
    assertTrue(e.getMessage().contains(TlsKeys.TRUST.name()), e.getMessage());

    Path openKey = dir.resolve("open-key.pem");
    Files.copy(certs.nodeKey(), openKey);
    Files.setPosixFilePermissions(openKey, PosixFilePermissions.fromString("rw-r--r--"));
    e = assertThrows(IllegalArgumentException.class, () -> RpcTls.from(member().with(TlsKeys.KEY, openKey.toString())));
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());

    SluiceConf keyOnly = member().with(TlsKeys.CERT, "");
    e = assertThrows(IllegalArgumentException.class, () -> RpcTls.from(keyOnly));
    assertTrue(e.getMessage().contains("set both"), e.getMessage());
  }
}
