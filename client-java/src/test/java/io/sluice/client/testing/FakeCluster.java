package io.sluice.client.testing;

import io.sluice.client.ClientKeys;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake master and fake workers serving on real sockets on 127.0.0.1 ephemeral ports, and a client
 * configuration pointing at them with small blocks and chunks so tests cross block and frame boundaries.
 */
public final class FakeCluster implements AutoCloseable {
  public final FakeMaster master;
  public final List<FakeWorker> workers = new ArrayList<>();
  public final List<BlockLocation> locations = new ArrayList<>();
  private final List<RpcServer> workerServers = new ArrayList<>();
  private final RpcServer masterServer;

  private FakeCluster(int workerCount) throws RpcException {
    RpcOptions opts = RpcOptions.defaults();
    try {
      for (int i = 0; i < workerCount; i++) {
        FakeWorker w = new FakeWorker();
        RpcServer s = new RpcServer("fake-worker-" + (i + 1), new InetSocketAddress("127.0.0.1", 0), w, opts)
            .start();
        workers.add(w);
        workerServers.add(s);
        locations.add(BlockLocation.newBuilder().setWorkerId(i + 1).setAddress(WorkerAddress.newBuilder()
            .setHost("127.0.0.1").setDataPort(s.address().getPort())).build());
      }
    } catch (RpcException e) {
      workerServers.forEach(RpcServer::close);
      throw e;
    }
    master = new FakeMaster(locations);
    try {
      masterServer = new RpcServer("fake-master", new InetSocketAddress("127.0.0.1", 0), master, opts).start();
    } catch (RpcException e) {
      workerServers.forEach(RpcServer::close);
      throw e;
    }
  }

  public static FakeCluster start(int workers) throws RpcException {
    return new FakeCluster(workers);
  }

  /**
   * Client configuration for this cluster: 1 MiB blocks, 64 KiB write chunks, 48 KiB read chunks (so read and
   * write frames do not line up) and a read window of 4.
   */
  public SluiceConf conf() {
    return SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + masterServer.address().getPort())
        .with(CommonKeys.RPC_CALL_TIMEOUT, "10s")
        .with(ClientKeys.BLOCK_SIZE, "1m")
        .with(ClientKeys.WRITE_CHUNK_SIZE, "64k")
        .with(ClientKeys.READ_CHUNK_SIZE, "48k")
        .with(ClientKeys.READ_WINDOW, "4")
        .with(ClientKeys.MASTER_RETRY_BUDGET, "2s");
  }

  /** Stops worker {@code index} (0-based); connections to it are refused from now on. */
  public void stopWorker(int index) {
    // RpcServer.close() is not idempotent (a second close fails on the terminated event loop), so forget it.
    RpcServer s = workerServers.set(index, null);
    if (s != null) {
      s.close();
    }
  }

  @Override
  public void close() {
    masterServer.close();
    for (int i = 0; i < workerServers.size(); i++) {
      stopWorker(i);
    }
  }
}
