package io.sluice.worker.data;

import com.google.protobuf.ByteString;
import io.sluice.common.auth.ShortCircuitToken;
import io.sluice.common.proto.ShortCircuitChallengeRequest;
import io.sluice.common.proto.ShortCircuitChallengeResponse;
import io.sluice.common.proto.ShortCircuitProofRequest;
import io.sluice.common.proto.ShortCircuitProofResponse;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import java.nio.file.Path;

/** Tests' short-circuit client: proves a connection as the client does, by reading the token the worker names. */
public final class ShortCircuitProver {
  private ShortCircuitProver() {}

  /** The worker's challenge on {@code c}. */
  public static ShortCircuitChallengeResponse challenge(RpcClient c) throws Exception {
    return c.call(WorkerMethod.SHORT_CIRCUIT_CHALLENGE_VALUE, ShortCircuitChallengeRequest.getDefaultInstance(),
        ShortCircuitChallengeResponse.parser());
  }

  /** Sends {@code proof} on {@code c}. */
  public static void answer(RpcClient c, byte[] proof) throws Exception {
    c.call(WorkerMethod.SHORT_CIRCUIT_PROOF_VALUE, ShortCircuitProofRequest.newBuilder()
        .setProof(ByteString.copyFrom(proof)).build(), ShortCircuitProofResponse.parser());
  }

  /** Challenges, reads the token and answers: {@code c} may then take leases. */
  public static void prove(RpcClient c) throws Exception {
    ShortCircuitChallengeResponse ch = challenge(c);
    answer(c, ShortCircuitToken.read(Path.of(ch.getTokenPath())).prove(ch.getNonce().toByteArray()));
  }
}
