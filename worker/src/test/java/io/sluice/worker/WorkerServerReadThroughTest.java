package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.worker.ufs.CountingUfs;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker reading a UFS-backed block through, against a scripted master that serves the mount table: the
 * mount is learned with GET_MOUNTS, the loaded block is reported in a heartbeat, and {@code /metrics} shows the
 * first read as a miss and the second as a hit. The master also hands out load-job tasks (LOAD_BLOCKS): their
 * blocks end up held and reported as added, and their failures come back in the heartbeats' failed_loads.
 */
class WorkerServerReadThroughTest {
  @TempDir
  Path dir;

  private final Set<Long> reportedAdded = ConcurrentHashMap.newKeySet();
  private final AtomicInteger mountFetches = new AtomicInteger();
  /** Every heartbeat received, in order. */
  private final ConcurrentLinkedQueue<WorkerHeartbeatRequest> heartbeats = new ConcurrentLinkedQueue<>();
  /** A command the next heartbeat's reply carries, once. */
  private final AtomicReference<WorkerCommand> nextCommand = new AtomicReference<>();
  /** Heartbeats received when {@link #nextCommand} was handed out; -1 until then. */
  private final AtomicInteger commandSentAt = new AtomicInteger(-1);
  private final List<CountingUfs> ufses = CountingUfs.list();
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
          WorkerHeartbeatRequest hb = call.parse(WorkerHeartbeatRequest.parser());
          reportedAdded.addAll(hb.getAddedBlocksList());
          WorkerHeartbeatResponse.Builder resp = WorkerHeartbeatResponse.newBuilder();
          synchronized (heartbeats) {
            heartbeats.add(hb);
            WorkerCommand c = nextCommand.getAndSet(null);
            if (c != null) {
              resp.addCommands(c);
              commandSentAt.set(heartbeats.size());
            }
          }
          call.respond(resp.build());
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
        .with(WorkerKeys.UFS_THREADS, "1").with(WorkerKeys.UFS_BUFFER_SIZE, "64k")
        .with(WorkerKeys.TIERS, "HDD:" + dir.resolve("store") + ":64m");
    worker = new WorkerServer(conf, CountingUfs.registry(ufses)).start();
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

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  private static BlockLoadTask task(long blockId, String ufsPath, long offset, long length) {
    return BlockLoadTask.newBuilder().setBlockId(blockId).setSource(UfsBlockSource.newBuilder().setMountId(3)
        .setUfsPath(ufsPath).setOffset(offset).setLength(length)).build();
  }

  /** Hands {@code tasks} to the worker in the next heartbeat's reply; returns once a later heartbeat arrived. */
  private void sendLoads(BlockLoadTask... tasks) throws InterruptedException {
    commandSentAt.set(-1);
    nextCommand.set(WorkerCommand.newBuilder().setType(WorkerCommand.Type.LOAD_BLOCKS)
        .addAllLoads(List.of(tasks)).build());
    await(() -> commandSentAt.get() >= 0 && heartbeats.size() > commandSentAt.get(),
        "the LOAD_BLOCKS command was delivered and the worker beat again");
  }

  private Optional<BlockLoadFailure> failedLoad(long blockId) {
    return heartbeats.stream().flatMap(h -> h.getFailedLoadsList().stream())
        .filter(f -> f.getBlockId() == blockId).findFirst();
  }

  private int ufsOpens() {
    return ufses.stream().mapToInt(u -> u.opens.get()).sum();
  }

  @Test
  void aLoadTaskLeavesTheBlockHeldAndReported() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    Files.write(ufs.resolve("loaded"), data);
    await(() -> worker.workerId() == 1 && !heartbeats.isEmpty(), "the worker registered and beat");

    sendLoads(task(7, "loaded", 1 << 20, 2 << 20));
    await(() -> reportedAdded.contains(7L), "block 7 was reported in added_blocks");
    assertTrue(worker.blockStore().contains(7));
    assertEquals(2 << 20, worker.blockStore().length(7));
    assertEquals(Optional.empty(), failedLoad(7));
    assertEquals(1, ufsOpens());

    // What was loaded is the UFS range, now read from the cache.
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 1 << 20, 3 << 20),
        read(7, task(7, "loaded", 1 << 20, 2 << 20).getSource()));
    Scrape s = Scrape.of(worker.httpAddress().orElseThrow());
    assertEquals(1, s.require("sluice_worker_cache_hits_total"));
    assertEquals(0, s.require("sluice_worker_cache_misses_total"));
    assertEquals(1, ufsOpens());
  }

  @Test
  void aLoadTaskWhoseUfsFileIsGoneOrShorterIsReportedStale() throws Exception {
    Files.write(ufs.resolve("short"), new byte[1000]);
    await(() -> worker.workerId() == 1 && !heartbeats.isEmpty(), "the worker registered and beat");

    sendLoads(task(8, "missing", 0, 4096), task(9, "short", 0, 4096));
    await(() -> failedLoad(8).isPresent() && failedLoad(9).isPresent(), "both failures were reported");
    for (long id : new long[] {8, 9}) {
      BlockLoadFailure f = failedLoad(id).orElseThrow();
      assertEquals(Status.STALE, f.getStatus(), f.toString());
      assertFalse(f.getMessage().isEmpty());
      assertFalse(worker.blockStore().contains(id));
      assertFalse(reportedAdded.contains(id));
    }
    // Each failure is sent once: the heartbeat that carried it was acknowledged.
    int beats = heartbeats.size();
    await(() -> heartbeats.size() >= beats + 2, "two more heartbeats");
    assertEquals(1, heartbeats.stream().flatMap(h -> h.getFailedLoadsList().stream())
        .filter(f -> f.getBlockId() == 8).count());
    assertEquals(0, worker.blockStore().used());
  }

  @Test
  void aLoadTaskForAHeldBlockReadsNothing() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(9).nextBytes(data);
    Files.write(ufs.resolve("held"), data);
    Files.write(ufs.resolve("sentinel"), data);
    await(() -> worker.workerId() == 1 && !heartbeats.isEmpty(), "the worker registered and beat");
    sendLoads(task(10, "held", 0, data.length));
    await(() -> reportedAdded.contains(10L), "block 10 was reported");
    assertEquals(1, ufsOpens());

    // Even with its UFS file gone, a held block is not loaded again. The sentinel task comes after it on the one
    // UFS thread, so once the sentinel is held any load of block 10 would have opened the UFS already.
    Files.delete(ufs.resolve("held"));
    sendLoads(task(10, "held", 0, data.length), task(11, "sentinel", 0, data.length));
    await(() -> reportedAdded.contains(11L), "the sentinel block was reported");
    int beats = heartbeats.size();
    await(() -> heartbeats.size() >= beats + 1, "one more heartbeat");
    assertEquals(2, ufsOpens(), "only the sentinel read the UFS");
    assertEquals(Optional.empty(), failedLoad(10));
    assertTrue(worker.blockStore().contains(10));
  }
}
