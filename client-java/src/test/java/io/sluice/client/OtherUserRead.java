package io.sluice.client;

import io.sluice.client.block.ShortCircuit;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.util.Arrays;

/**
 * Reads a whole file and prints {@code RESULT <hash of the bytes> <short-circuit opens>}: the client that
 * {@link ShortCircuitFallbackTest} runs in a JVM of another OS user. Arguments: the master's address, the path.
 */
public final class OtherUserRead {
  private OtherUserRead() {}

  public static void main(String[] args) throws Exception {
    SluiceConf conf = SluiceConf.defaults().with(CommonKeys.MASTER_ADDRESSES, args[0])
        .with(CommonKeys.RPC_CALL_TIMEOUT, "10s");
    try (SluiceClient client = SluiceClient.connect(conf); SluiceInputStream in = client.open(args[1])) {
      byte[] data = in.readAllBytes();
      System.out.println("RESULT " + Arrays.hashCode(data) + " " + ShortCircuit.opens());
    }
  }
}
