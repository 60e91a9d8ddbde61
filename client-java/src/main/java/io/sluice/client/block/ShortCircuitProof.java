package io.sluice.client.block;

import com.google.protobuf.ByteString;
import io.sluice.common.auth.ShortCircuitToken;
import io.sluice.common.proto.ShortCircuitChallengeRequest;
import io.sluice.common.proto.ShortCircuitChallengeResponse;
import io.sluice.common.proto.ShortCircuitProofRequest;
import io.sluice.common.proto.ShortCircuitProofResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of the short-circuit proof (drawn in {@code worker.proto}, above
 * {@code ShortCircuitChallengeRequest}): before its first lease on a connection, the client reads the token file the
 * worker names and answers the worker's nonce with it, so the worker knows the client runs on its host as an OS user
 * who may read its files. Once per connection: every lease after that costs nothing more.
 *
 * <p>A connection whose proof failed is refused short-circuit ({@link ShortCircuit#refuse}) and reads over the block
 * RPC for the rest of its life, said once: at INFO when this process could not read the token or the worker
 * rejected the proof (a deployment matter: the client runs as another OS user), at DEBUG when the worker refused the
 * exchange itself (short-circuit disabled there, a worker that does not know it, a connection it sees from another
 * host). A proof cut short by the connection (UNAVAILABLE: closed, interrupted, timed out) refuses nothing: the next
 * read on that connection tries again.
 */
final class ShortCircuitProof {
  private static final Logger LOG = LoggerFactory.getLogger(ShortCircuitProof.class);
  /** The outcome per connection; weak, so a dropped connection's entry goes with it. */
  private static final Map<RpcClient, CompletableFuture<Boolean>> PROOFS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private ShortCircuitProof() {}

  /**
   * Whether {@code worker}'s connection proved itself. The first caller per connection runs the exchange (two calls
   * and a read of a small local file) on its own thread; concurrent callers wait for its outcome.
   */
  static boolean proven(RpcClient worker) {
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = PROOFS.putIfAbsent(worker, mine);
    if (running != null) {
      return running.join();
    }
    boolean ok = false;
    try {
      ok = exchange(worker);
    } finally {
      mine.complete(ok);
    }
    return ok;
  }

  private static boolean exchange(RpcClient worker) {
    String where = "worker " + worker.address();
    ShortCircuitChallengeResponse challenge;
    try {
      challenge = worker.call(WorkerMethod.SHORT_CIRCUIT_CHALLENGE_VALUE,
          ShortCircuitChallengeRequest.getDefaultInstance(), ShortCircuitChallengeResponse.parser());
    } catch (RpcException e) {
      return failed(worker, e, false, where + " refused the short-circuit challenge: " + e.getMessage());
    }
    Path tokenFile = Path.of(challenge.getTokenPath());
    ShortCircuitToken token;
    try {
      if (!tokenFile.isAbsolute()) {
        throw new IOException("not an absolute path");
      }
      token = ShortCircuitToken.read(tokenFile);
    } catch (IOException e) {
      ShortCircuit.refuse(worker);
      LOG.info("short-circuit reads from {} are off for this connection: cannot read its token {} ({}); a"
          + " short-circuit client must run as the worker's OS user or in sluice.worker.short.circuit.group. Reading"
          + " over the block RPC.", where, tokenFile, e.toString());
      return false;
    }
    try {
      worker.call(WorkerMethod.SHORT_CIRCUIT_PROOF_VALUE, ShortCircuitProofRequest.newBuilder()
          .setProof(ByteString.copyFrom(token.prove(challenge.getNonce().toByteArray()))).build(),
          ShortCircuitProofResponse.parser());
    } catch (RpcException e) {
      return failed(worker, e, true, where + " rejected the short-circuit proof made with " + tokenFile + ": "
          + e.getMessage());
    }
    LOG.debug("short-circuit reads from {} verified for this connection", where);
    return true;
  }

  /** Refuses the connection for good, unless the exchange was only cut short; false either way. */
  private static boolean failed(RpcClient worker, RpcException e, boolean loud, String why) {
    if (e.status() == Status.UNAVAILABLE) {
      PROOFS.remove(worker);
      LOG.debug("{}; will try again", why);
      return false;
    }
    ShortCircuit.refuse(worker);
    if (loud) {
      LOG.info("{}; reading over the block RPC for this connection", why);
    } else {
      LOG.debug("{}; reading over the block RPC for this connection", why);
    }
    return false;
  }
}
