package io.sluice.common.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.sluice.common.auth.SharedSecret;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.Handshake;
import io.sluice.common.proto.Status;
import io.sluice.common.testing.CapturedLog;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The shared-secret handshake (rpc.proto, message Handshake) over real sockets: well-behaved clients through
 * {@link RpcClient}, misbehaving ones and an eavesdropper's replay through raw sockets speaking the frame layout.
 */
class SecretAuthenticationTest {
  private static final int METHOD_STAT = 5;
  private static final String SECRET = "correct horse battery staple";
  private static final String OTHER_SECRET = "incorrect horse battery staple";

  private final List<RpcServer> servers = new ArrayList<>();
  private final CapturedLog log = new CapturedLog();
  private final Logger handshakeLog = (Logger) LoggerFactory.getLogger(ServerHandshakeHandler.class);

  /** Answers a stat with the caller's user as the owner. */
  private final RpcHandler handler = call -> call.respond(GetStatusResponse.newBuilder()
      .setInfo(FileInfo.newBuilder().setOwner(call.user())).build());

  @BeforeEach
  void captureLog() {
    log.start();
    handshakeLog.addAppender(log);
  }

  @AfterEach
  void stop() {
    handshakeLog.detachAppender(log);
    servers.forEach(RpcServer::close);
  }

  private static RpcOptions options(Transport t, String secret) {
    return RpcOptions.defaults().withTransport(t).withUser("alice").withCallTimeout(Duration.ofSeconds(10))
        .withSecret(secret == null ? null : SharedSecret.of(secret));
  }

  private InetSocketAddress start(RpcOptions opts) throws RpcException {
    RpcServer s = new RpcServer("auth-test", new InetSocketAddress("127.0.0.1", 0), handler, opts).start();
    servers.add(s);
    return s.address();
  }

  private static String owner(RpcClient c) throws RpcException {
    return c.call(METHOD_STAT, GetStatusRequest.newBuilder().setPath("/").build(), GetStatusResponse.parser())
        .getInfo().getOwner();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void theSameSecretOnBothSidesConnects(Transport t) throws Exception {
    InetSocketAddress server = start(options(t, SECRET));
    try (RpcClient c = RpcClient.connect(server, options(t, SECRET))) {
      assertEquals("alice", owner(c));
    }
    EventLoopGroup loop = t.newGroup(1, "auth-test-loop");
    try (RpcClient async = RpcClient.connectAsync(server, options(t, SECRET).withUser("bob"), loop.next())
        .get(10, TimeUnit.SECONDS)) {
      assertEquals("bob", owner(async), "the user inside the MACs is the one the server acts for");
    } finally {
      loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aClientWithoutTheSecretIsRefusedAndOthersAreStillServed(Transport t) throws Exception {
    InetSocketAddress server = start(options(t, SECRET));
    RpcException e = assertThrows(RpcException.class, () -> RpcClient.connect(server, options(t, null)));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().startsWith("authentication failed: "), e.getMessage());
    assertTrue(e.getMessage().contains("presented none"), e.getMessage());
    assertRefusalLogged("presented none");
    try (RpcClient c = RpcClient.connect(server, options(t, SECRET))) {
      assertEquals("alice", owner(c));
    }
  }

  @Test
  void aHelloWithoutProofIsAnsweredPermissionDeniedAndClosed() throws Exception {
    InetSocketAddress server = start(options(Transport.NIO, SECRET));
    try (RawPeer p = new RawPeer(server)) {
      p.send(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE),
          Handshake.newBuilder().setVersion(1).setUser("mallory").setClientId("c").build());
      FrameHeader answer = p.readHeader();
      assertEquals(FrameKind.HANDSHAKE, answer.getKind());
      assertEquals(Status.PERMISSION_DENIED, answer.getStatus());
      assertTrue(p.closedByServer());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aWrongSecretIsRefusedOnBothSides(Transport t) throws Exception {
    InetSocketAddress server = start(options(t, SECRET));
    RpcException e = assertThrows(RpcException.class, () -> RpcClient.connect(server, options(t, OTHER_SECRET)));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().startsWith("authentication failed: "), e.getMessage());
    assertTrue(e.getMessage().contains("secrets differ"), e.getMessage());
    assertRefusalLogged("secrets differ");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aClientWithASecretRefusesAServerWithout(Transport t) throws Exception {
    InetSocketAddress server = start(options(t, null));
    RpcException e = assertThrows(RpcException.class, () -> RpcClient.connect(server, options(t, SECRET)));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().startsWith("authentication failed: "), e.getMessage());
    assertTrue(e.getMessage().contains("did not prove"), e.getMessage());
    try (RpcClient c = RpcClient.connect(server, options(t, null))) {
      assertEquals("alice", owner(c), "without a secret anywhere, nothing changes");
    }
  }

  @Test
  void aWrongClientProofIsRefused() throws Exception {
    InetSocketAddress server = start(options(Transport.NIO, SECRET));
    SharedSecret wrong = SharedSecret.of(OTHER_SECRET);
    try (RawPeer p = new RawPeer(server)) {
      byte[] clientNonce = SharedSecret.newNonce();
      Handshake challenge = p.hello("mallory", clientNonce);
      byte[] proof = wrong.clientProof(challenge.getServerNonce().toByteArray(), clientNonce, "mallory", "c");
      p.send(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE),
          Handshake.newBuilder().setProof(ByteString.copyFrom(proof)).build());
      assertEquals(Status.PERMISSION_DENIED, p.readHeader().getStatus());
      assertTrue(p.closedByServer());
    }
    assertRefusalLogged("wrong proof");
  }

  /**
   * An eavesdropper records a whole authenticated handshake, then opens its own connection with the same client
   * nonce and plays the recorded client proof: the server chose a new nonce, so the proof no longer fits.
   */
  @Test
  void aRecordedProofDoesNotOpenAnotherConnection() throws Exception {
    InetSocketAddress server = start(options(Transport.NIO, SECRET));
    SharedSecret secret = SharedSecret.of(SECRET);
    byte[] clientNonce = SharedSecret.newNonce();
    byte[] recordedProof;
    byte[] firstServerNonce;
    try (RawPeer honest = new RawPeer(server)) {
      Handshake challenge = honest.hello("alice", clientNonce);
      firstServerNonce = challenge.getServerNonce().toByteArray();
      recordedProof = secret.clientProof(firstServerNonce, clientNonce, "alice", "c");
      honest.send(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE),
          Handshake.newBuilder().setProof(ByteString.copyFrom(recordedProof)).build());
      assertEquals(Status.OK, honest.readHeader().getStatus(), "the honest client is admitted");
    }
    try (RawPeer replay = new RawPeer(server)) {
      Handshake challenge = replay.hello("alice", clientNonce);
      assertFalse(Arrays.equals(firstServerNonce, challenge.getServerNonce().toByteArray()));
      replay.send(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE),
          Handshake.newBuilder().setProof(ByteString.copyFrom(recordedProof)).build());
      assertEquals(Status.PERMISSION_DENIED, replay.readHeader().getStatus());
      assertTrue(replay.closedByServer());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aSilentConnectionIsClosedAfterTheHandshakeTimeout(Transport t) throws Exception {
    // Long enough that the admitted connection below completes its handshake in time on a slow machine.
    InetSocketAddress server = start(options(t, SECRET).withHandshakeTimeout(Duration.ofMillis(1000)));
    long started = System.nanoTime();
    try (RawPeer silent = new RawPeer(server)) {
      assertTrue(silent.closedByServer());
    }
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(900), "closed by the timeout");
    try (RawPeer halfway = new RawPeer(server)) {
      halfway.hello("alice", SharedSecret.newNonce()); // and never proves itself
      assertTrue(halfway.closedByServer());
    }
    assertTrue(messages().stream().anyMatch(m -> m.contains("no complete handshake within 1000 ms")), messages()
        .toString());
    try (RpcClient c = RpcClient.connect(server, options(t, SECRET))) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < deadline) {
        assertTrue(c.isActive(), "an admitted connection outlives the handshake timeout");
        Thread.sleep(50);
      }
      assertEquals("alice", owner(c));
    }
  }

  private List<String> messages() {
    return log.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /**
   * The server logged a WARN naming the refused peer and the reason, and nothing it logged holds the secret or a
   * proof in any usual encoding.
   */
  private void assertRefusalLogged(String reason) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (messages().stream().noneMatch(m -> m.contains(reason))) {
      assertTrue(System.nanoTime() < deadline, "no log line saying '" + reason + "': " + messages());
      Thread.sleep(20);
    }
    ILoggingEvent line = log.events().stream().filter(e -> e.getFormattedMessage().contains(reason)).findFirst()
        .orElseThrow();
    assertEquals(ch.qos.logback.classic.Level.WARN, line.getLevel());
    assertTrue(line.getFormattedMessage().contains("authentication failed for connection from /127.0.0.1:"),
        line.getFormattedMessage());
    for (String m : messages()) {
      assertFalse(m.contains(SECRET) || m.contains(OTHER_SECRET), m);
      assertFalse(m.matches(".*[0-9a-f]{64}.*") || m.matches(".*[A-Za-z0-9+/]{43}=.*"), "looks like a MAC: " + m);
    }
  }

  /** A peer speaking the frame layout by hand (FrameDecoder's Javadoc), to misbehave as a real client cannot. */
  private static final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private byte[] lastBody;

    RawPeer(InetSocketAddress server) throws IOException {
      socket = new Socket(server.getAddress(), server.getPort());
      socket.setSoTimeout(10_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    /** Sends a hello with {@code clientNonce} as client id "c"; returns the server's challenge. */
    Handshake hello(String user, byte[] clientNonce) throws IOException {
      send(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE), Handshake.newBuilder().setVersion(1)
          .setUser(user).setClientId("c").setClientNonce(ByteString.copyFrom(clientNonce)).build());
      FrameHeader h = readHeader();
      assertEquals(Status.OK, h.getStatus(), h.getError());
      Handshake challenge = Handshake.parseFrom(lastBody);
      assertEquals(SharedSecret.NONCE_BYTES, challenge.getServerNonce().size());
      return challenge;
    }

    void send(FrameHeader.Builder header, Handshake body) throws IOException {
      byte[] b = body.toByteArray();
      byte[] h = header.setBodyLength(b.length).build().toByteArray();
      out.writeInt(4 + h.length + b.length);
      out.writeInt(h.length);
      out.write(h);
      out.write(b);
      out.flush();
    }

    FrameHeader readHeader() throws IOException {
      byte[] rest = new byte[in.readInt()];
      in.readFully(rest);
      int hl = ((rest[0] & 0xff) << 24) | ((rest[1] & 0xff) << 16) | ((rest[2] & 0xff) << 8) | (rest[3] & 0xff);
      FrameHeader h = FrameHeader.parseFrom(Arrays.copyOfRange(rest, 4, 4 + hl));
      lastBody = Arrays.copyOfRange(rest, 4 + hl, 4 + hl + h.getBodyLength());
      return h;
    }

    /** Whether the server closes the connection (within the socket timeout), reading past what it still sends. */
    boolean closedByServer() throws IOException {
      byte[] buf = new byte[4096];
      try {
        while (true) {
          if (in.read(buf) < 0) {
            return true;
          }
        }
      } catch (SocketException e) {
        return true; // reset
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
