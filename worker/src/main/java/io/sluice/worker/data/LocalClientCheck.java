package io.sluice.worker.data;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.sluice.common.auth.ShortCircuitToken;
import io.sluice.common.proto.ShortCircuitChallengeResponse;
import io.sluice.common.proto.ShortCircuitProofRequest;
import io.sluice.common.proto.ShortCircuitProofResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies, once per connection, that a short-circuit client runs on this host as an OS user allowed to read this
 * worker's files (the exchange is drawn in {@code worker.proto}, above {@code ShortCircuitChallengeRequest}): the
 * connection comes from an address of this host, and the client answered a fresh nonce with the
 * {@link ShortCircuitToken} that this worker wrote, at start, to a file only such users can read.
 * {@link ShortCircuitLeases} grants leases to verified connections only.
 *
 * <p>Why both: the address check alone would trust any local user, and a remote client naming a path that exists
 * on its own host would read a file of that host, not this worker's block; the token alone would be enough, but the
 * address check is cheap and refuses a remote client before it learns the token's path.
 *
 * <p>Threading: a connection's calls run on its event loop, so its nonce and its verdict need no lock.
 */
public final class LocalClientCheck {
  private static final Logger LOG = LoggerFactory.getLogger(LocalClientCheck.class);
  private static final AttributeKey<byte[]> NONCE = AttributeKey.valueOf("sluice.shortCircuitNonce");
  private static final AttributeKey<Boolean> VERIFIED = AttributeKey.valueOf("sluice.shortCircuitVerified");

  private final ShortCircuitToken token;
  private final Path tokenFile;
  private final BiPredicate<SocketAddress, SocketAddress> fromThisHost;

  private LocalClientCheck(ShortCircuitToken token, Path tokenFile,
      BiPredicate<SocketAddress, SocketAddress> fromThisHost) {
    this.token = token;
    this.tokenFile = tokenFile;
    this.fromThisHost = fromThisHost;
  }

  /**
   * Writes a new token to {@code tokenFile} (replacing the one of an earlier start) and checks clients against it.
   *
   * @param group empty: only this process's OS user may read the token (mode 0600); else also that group (0640)
   * @throws IOException when the file cannot be written, or the group cannot be given to it
   */
  public static LocalClientCheck create(Path tokenFile, String group) throws IOException {
    return create(tokenFile, group, LocalClientCheck::fromThisHost);
  }

  /**
   * Writes the token to the first of {@code files} that can be written: a tier directory that failed (a dead disk)
   * does not keep the worker from short-circuit while its other directories serve.
   *
   * @throws IOException the first file's failure, when none can be written
   */
  public static LocalClientCheck createInFirst(List<Path> files, String group) throws IOException {
    IOException first = null;
    for (Path file : files) {
      try {
        return create(file, group);
      } catch (IOException e) {
        LOG.warn("cannot write the short-circuit token {}: {}", file, e.toString());
        first = first == null ? e : first;
      }
    }
    throw first != null ? first : new IOException("no place for the short-circuit token");
  }

  /**
   * As {@link #create(Path, String)}, deciding with {@code fromThisHost(remote, local)} whether a connection comes
   * from this host: for tests, which cannot connect from another host.
   */
  static LocalClientCheck create(Path tokenFile, String group, BiPredicate<SocketAddress, SocketAddress> fromThisHost)
      throws IOException {
    Path file = tokenFile.toAbsolutePath();
    ShortCircuitToken token = ShortCircuitToken.generate();
    token.write(file, group);
    return new LocalClientCheck(token, file, fromThisHost);
  }

  /** The token file clients read. */
  public Path tokenFile() {
    return tokenFile;
  }

  /** Whether the connection proved itself; until then it gets no lease. Unset, TRUE or (refused for good) FALSE. */
  boolean verified(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(VERIFIED).get());
  }

  /**
   * Answers a SHORT_CIRCUIT_CHALLENGE: the token's path and a new nonce, replacing any earlier one. A connection that
   * was refused once (another host, a wrong proof) is refused for good, without another log line: a client cannot
   * flood the log, or guess on, over one connection.
   */
  void challenge(ServerCall call) throws RpcException {
    SocketAddress remote = call.remoteAddress();
    if (Boolean.FALSE.equals(call.channel().attr(VERIFIED).get())) {
      throw new RpcException(Status.PERMISSION_DENIED, "short-circuit was refused to this connection already");
    }
    if (!fromThisHost.test(remote, call.channel().localAddress())) {
      call.channel().attr(VERIFIED).set(Boolean.FALSE);
      LOG.info("short-circuit refused to {}: not an address of this host", remote);
      throw new RpcException(Status.PERMISSION_DENIED, "short-circuit is only for clients on the worker's host;"
          + " the connection comes from " + remote);
    }
    byte[] nonce = ShortCircuitToken.newNonce();
    call.channel().attr(NONCE).set(nonce);
    call.respond(ShortCircuitChallengeResponse.newBuilder().setTokenPath(tokenFile.toString())
        .setNonce(ByteString.copyFrom(nonce)).build());
  }

  /** Answers a SHORT_CIRCUIT_PROOF; the nonce it answers is used up, whether the proof is right or not. */
  void prove(ServerCall call, ShortCircuitProofRequest req) throws RpcException {
    byte[] nonce = call.channel().attr(NONCE).getAndSet(null);
    if (nonce == null) {
      throw new RpcException(Status.PERMISSION_DENIED, "no SHORT_CIRCUIT_CHALLENGE to answer on this connection");
    }
    if (!token.verify(nonce, req.getProof().toByteArray())) {
      call.channel().attr(VERIFIED).compareAndSet(null, Boolean.FALSE);
      LOG.warn("short-circuit refused to {}: wrong proof (it did not read {})", call.remoteAddress(), tokenFile);
      throw new RpcException(Status.PERMISSION_DENIED, "wrong short-circuit proof: it must be made with the token in "
          + tokenFile);
    }
    call.channel().attr(VERIFIED).set(Boolean.TRUE);
    call.respond(ShortCircuitProofResponse.getDefaultInstance());
  }

  /** Whether {@code remote} is an address of this host: loopback, the connection's own, or any interface's. */
  static boolean fromThisHost(SocketAddress remote, SocketAddress local) {
    if (!(remote instanceof InetSocketAddress r) || r.getAddress() == null) {
      return false;
    }
    InetAddress a = r.getAddress();
    if (a.isLoopbackAddress()
        || (local instanceof InetSocketAddress l && a.equals(l.getAddress()))) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }
}
