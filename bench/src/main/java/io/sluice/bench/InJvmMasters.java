package io.sluice.bench;

import io.sluice.common.conf.SluiceConf;
import io.sluice.master.MasterServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** 1, 3 or 5 real masters (Ratis + RocksDB + RPC) in this JVM on loopback, each with its own directory. */
final class InJvmMasters implements AutoCloseable {
  private final List<MasterServer> masters = new ArrayList<>();
  private final String addresses;

  /** @param settings {@code key=value} master settings over the defaults */
  InJvmMasters(Path dir, int count, List<String> settings) throws IOException {
    int[] rpc = new int[count];
    int[] raft = new int[count];
    List<String> rpcList = new ArrayList<>();
    List<String> raftList = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rpc[i] = freePort();
      raft[i] = freePort();
      rpcList.add("127.0.0.1:" + rpc[i]);
      raftList.add("127.0.0.1:" + raft[i]);
    }
    addresses = String.join(",", rpcList);
    try {
      for (int i = 0; i < count; i++) {
        SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", addresses)
            .with("sluice.master.raft.addresses", count == 1 ? "" : String.join(",", raftList))
            .with("sluice.master.host", "127.0.0.1").with("sluice.master.rpc.port", Integer.toString(rpc[i]))
            .with("sluice.master.raft.port", Integer.toString(raft[i]))
            .with("sluice.master.http.port", "0").with("sluice.master.dir", dir.resolve("m" + i).toString());
        for (Map.Entry<String, String> kv : KeyValues.parse(settings).entrySet()) {
          conf = conf.with(kv.getKey(), kv.getValue());
        }
        masters.add(new MasterServer(conf).start());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The value of {@code sluice.master.addresses} for clients. */
  String addresses() {
    return addresses;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (MasterServer m : masters) {
      m.close();
    }
  }
}
