package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufUtil;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.StreamListener;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker reading a UFS-backed block through, against a scripted master that serves the mount table: the
 * mount is learned with GET_MOUNTS, the loaded block is reported in a heartbeat, and {@code /metrics} shows the
 * first read as a miss and the second as a hit.
 */
class WorkerServerReadThroughTest {
  @TempDir
  Path dir;

  private final Set<Long> reportedAdded = ConcurrentHashMap.newKeySet();
  private final AtomicInteger mountFetches = new AtomicInteger();
  private RpcServer master;
  private WorkerServer worker;
  private RpcClient client;
  private Path ufs;

  @BeforeEach
  void start() throws Exception {
    ufs = Files.createDirectories(dir.resolve("ufs"));
    MountInfo mount = MountInfo.newBuilder().setMountId(3).setPath("/data").setUfsUri(ufs.toUri().toString())
        .build();
    master = new RpcServer("fake-master", new InetSocketAddress("127.0.0.1", 0), call -> {
      try {
        if (call.method() == MasterMethod.REGISTER_WORKER_VALUE) {
          call.respond(RegisterWorkerResponse.newBuilder().setWorkerId(1).build());
        } else if (call.method() == MasterMethod.WORKER_HEARTBEAT_VALUE) {
          reportedAdded.addAll(call.parse(WorkerHeartbeatRequest.parser()).getAddedBlocksList());
          call.respond(WorkerHeartbeatResponse.getDefaultInstance());
        } else if (call.method() == MasterMethod.GET_MOUNTS_VALUE) {
          mountFetches.incrementAndGet();
          call.respond(GetMountsResponse.newBuilder().addMounts(mount).build());
        } else {
          call.fail(new RpcException(Status.INVALID_ARGUMENT, "unexpected method " + call.method()));
        }
      } catch (RpcException e) {
        call.fail(e);
      }
    }, RpcOptions.defaults()).start();
    SluiceConf conf = SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + master.address().getPort())
        .with(WorkerKeys.HOST, "127.0.0.1").with(WorkerKeys.BIND_HOST, "127.0.0.1")
        .with(WorkerKeys.DATA_PORT, "0").with(WorkerKeys.HTTP_PORT, "0")
        .with(WorkerKeys.HEARTBEAT_INTERVAL, "100ms")
        .with(WorkerKeys.UFS_THREADS, "2").with(WorkerKeys.UFS_BUFFER_SIZE, "64k")
        .with(WorkerKeys.TIERS, "HDD:" + dir.resolve("store") + ":64m");
    worker = new WorkerServer(conf).start();
    client = RpcClient.connect(worker.dataAddress(), RpcOptions.defaults());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (worker != null) {
      worker.close();
    }
    if (master != null) {
      master.close();
    }
  }

  private byte[] read(long blockId, UfsBlockSource src) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder()
        .setBlockId(blockId).setLength(-1).setUfs(src).build(), 64, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            try {
              byte[] b = ByteBufUtil.getBytes(frame.data());
              out.write(b, 0, b.length);
            } finally {
              frame.release();
            }
          }
        });
    RpcClient.await(s.response()).release();
    return out.toByteArray();
  }

  @Test
  void aSecondReadIsServedFromTheCache() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(5).nextBytes(data);
    Files.write(ufs.resolve("file"), data);
    UfsBlockSource src = UfsBlockSource.newBuilder().setMountId(3).setUfsPath("file").setOffset(1 << 20)
        .setLength(2 << 20).build();
    byte[] block = java.util.Arrays.copyOfRange(data, 1 << 20, 3 << 20);

    assertArrayEquals(block, read(99, src));
    Scrape s = Scrape.of(worker.httpAddress().orElseThrow());
    assertEquals(0, s.require("sluice_worker_cache_hits_total"));
    assertEquals(1, s.require("sluice_worker_cache_misses_total"));
    assertEquals(2 << 20, s.require("sluice_worker_ufs_read_bytes_total"));
    assertEquals(0, s.require("sluice_worker_ufs_errors_total"));

    assertArrayEquals(block, read(99, src));
    s = Scrape.of(worker.httpAddress().orElseThrow());
    assertEquals(1, s.require("sluice_worker_cache_hits_total"));
    assertEquals(1, s.require("sluice_worker_cache_misses_total"));
    assertEquals(2 << 20, s.require("sluice_worker_ufs_read_bytes_total"));
    assertEquals(1, mountFetches.get());

    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!reportedAdded.contains(99L) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(Set.of(99L), reportedAdded, "the loaded block is reported like a written one");
  }
}
