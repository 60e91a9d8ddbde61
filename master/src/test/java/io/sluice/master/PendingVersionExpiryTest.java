package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.AllocateBlockVersionRequest;
import io.sluice.common.proto.AllocateBlockVersionResponse;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CompleteFileResponse;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.master.security.SecurityKeys;
import io.sluice.master.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real master (Ratis, RocksDB, RPC) whose writer of a block version died before committing it: once the version is
 * older than {@code sluice.master.block.version.pending.expiry}, the leader's sweeper drops it, and the worker that
 * holds its block is told to remove it in its next heartbeat.
 */
class PendingVersionExpiryTest {
  @TempDir
  Path dir;
  final FakeClock clock = new FakeClock(1_700_000_000_000L);
  MasterServer master;
  RpcClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (master != null) {
      master.close();
    }
  }

  <T extends Message> T call(MasterMethod m, Message body, Parser<T> parser) throws RpcException {
    return client.call(m.getNumber(), body, parser);
  }

  @Test
  void aVersionNeverCommittedIsDroppedAfterTheExpiryAndItsBlockRemovedFromTheWorker() throws Exception {
    SluiceConf conf = SluiceConf.defaults().with(MasterKeys.HOST, "127.0.0.1").with(MasterKeys.RPC_PORT, "0")
        .with(MasterKeys.HTTP_PORT, "0").with(MasterKeys.RAFT_PORT, "0").with(MasterKeys.DIR, dir.toString())
        .with(MasterKeys.DEFAULT_BLOCK_SIZE, "1m").with(MasterKeys.WORKER_TIMEOUT, "1h")
        .with(MasterKeys.BLOCK_VERSION_PENDING_EXPIRY, "4s") // swept every second
        .with(SecurityKeys.STATIC_GROUPS, "alice=supergroup");
    master = new MasterServer(conf, clock).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
    WorkerAddress wa = WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080).build();
    long worker = call(MasterMethod.REGISTER_WORKER, RegisterWorkerRequest.newBuilder().setAddress(wa)
        .setCapacityBytes(1 << 30).build(), RegisterWorkerResponse.parser()).getWorkerId();
    FileInfo f = call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/f").build(),
        CreateFileResponse.parser()).getInfo();
    long b0 = call(MasterMethod.ADD_BLOCK, AddBlockRequest.newBuilder().setFileId(f.getId()).setPath("/f").build(),
        AddBlockResponse.parser()).getBlock().getBlockId();
    call(MasterMethod.COMPLETE_FILE, CompleteFileRequest.newBuilder().setFileId(f.getId())
        .addBlocks(BlockMeta.newBuilder().setBlockId(b0).setLength(100)).setLength(100).build(),
        CompleteFileResponse.parser());
    long version = call(MasterMethod.ALLOCATE_BLOCK_VERSION, AllocateBlockVersionRequest.newBuilder()
        .setFileId(f.getId()).setPath("/f").setIndex(0).build(), AllocateBlockVersionResponse.parser())
        .getBlock().getBlockId();
    // The writer wrote the version to the worker, then died: no commit, no abandon.
    // Nothing is removed; both blocks are of a Sluice-native file, so the worker must keep them (pin).
    assertEquals(List.of(WorkerCommand.newBuilder().setType(WorkerCommand.Type.PIN_BLOCKS).addBlockIds(b0)
        .addBlockIds(version).build()), heartbeat(worker, List.of(b0, version)).stream().map(c -> c.toBuilder()
        .clearBlockIds().addAllBlockIds(c.getBlockIdsList().stream().sorted().toList()).build()).toList());

    clock.advance(Duration.ofSeconds(10));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<Long> removed = new ArrayList<>();
    while (removed.isEmpty() && System.nanoTime() < deadline) {
      for (WorkerCommand c : heartbeat(worker, List.of())) {
        if (c.getType() == WorkerCommand.Type.REMOVE_BLOCKS) {
          removed.addAll(c.getBlockIdsList());
        }
      }
      Thread.sleep(100); // the sweeper runs on its own schedule (every second): poll for its outcome
    }
    assertEquals(List.of(version), removed, "the worker is told to remove the version's block, and only it");
    assertTrue(master.store().reader().version(version).isEmpty(), "its record is gone");
  }

  private List<WorkerCommand> heartbeat(long worker, List<Long> added) throws RpcException {
    return call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder().setWorkerId(worker)
        .setCapacityBytes(1 << 30).addAllAddedBlocks(added).build(), WorkerHeartbeatResponse.parser())
        .getCommandsList();
  }
}
