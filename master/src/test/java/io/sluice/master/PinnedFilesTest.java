package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CompleteFileResponse;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FreeRequest;
import io.sluice.common.proto.FreeResponse;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.RenameResponse;
import io.sluice.common.proto.SetPinnedRequest;
import io.sluice.common.proto.SetPinnedResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.master.namespace.BlockIds;
import io.sluice.master.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: pinned files and Sluice-native blocks are never evicted. A real master (Ratis, RocksDB, RPC) with a
 * local-dir UFS mounted at /m and a worker played by hand: what the master answers its registrations and heartbeats.
 */
class PinnedFilesTest {
  @TempDir
  Path dir;
  @TempDir
  Path ufs;
  final FakeClock clock = new FakeClock(1_700_000_000_000L);
  MasterServer master;
  RpcClient client;
  final WorkerAddress worker = WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080).build();

  @BeforeEach
  void start() throws Exception {
    Files.write(ufs.resolve("a"), new byte[] {1, 2, 3});
    Files.createDirectories(ufs.resolve("d"));
    Files.write(ufs.resolve("d/b"), new byte[] {4, 5});
    master = new MasterServer(MasterServerTest.conf(dir), clock).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
    call(MasterMethod.MOUNT, MountRequest.newBuilder().setPath("/m").setUfsUri(ufs.toUri().toString()).build(),
        MountResponse.parser());
  }

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

  FileInfo stat(String path) throws RpcException {
    return call(MasterMethod.GET_STATUS, GetStatusRequest.newBuilder().setPath(path).build(),
        GetStatusResponse.parser()).getInfo();
  }

  FileInfo setPinned(String path, boolean pinned) throws RpcException {
    return call(MasterMethod.SET_PINNED, SetPinnedRequest.newBuilder().setPath(path).setPinned(pinned).build(),
        SetPinnedResponse.parser()).getInfo();
  }

  RegisterWorkerResponse register(List<Long> blocks) throws RpcException {
    return call(MasterMethod.REGISTER_WORKER, RegisterWorkerRequest.newBuilder().setAddress(worker)
        .setCapacityBytes(1 << 30).addAllBlockIds(blocks).build(), RegisterWorkerResponse.parser());
  }

  /** One heartbeat reporting {@code added}: the block ids of each command type in the answer, sorted. */
  Map<WorkerCommand.Type, List<Long>> heartbeat(long workerId, List<Long> added) throws RpcException {
    WorkerHeartbeatResponse r = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder()
        .setWorkerId(workerId).setCapacityBytes(1 << 30).addAllAddedBlocks(added).build(),
        WorkerHeartbeatResponse.parser());
    Map<WorkerCommand.Type, List<Long>> out = new EnumMap<>(WorkerCommand.Type.class);
    for (WorkerCommand c : r.getCommandsList()) {
      out.computeIfAbsent(c.getType(), t -> new ArrayList<>()).addAll(c.getBlockIdsList());
    }
    out.values().forEach(l -> l.sort(null));
    return out;
  }

  /** A complete Sluice-native file of one 10-byte block at {@code path}; returns the block's id. */
  long nativeFile(String path) throws RpcException {
    FileInfo f = call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath(path).build(),
        CreateFileResponse.parser()).getInfo();
    long b = call(MasterMethod.ADD_BLOCK, AddBlockRequest.newBuilder().setFileId(f.getId()).setPath(path).build(),
        AddBlockResponse.parser()).getBlock().getBlockId();
    call(MasterMethod.COMPLETE_FILE, CompleteFileRequest.newBuilder().setFileId(f.getId()).setPath(path)
        .addBlocks(BlockMeta.newBuilder().setBlockId(b).setLength(10)).setLength(10).build(),
        CompleteFileResponse.parser());
    return b;
  }

  /** The id of the one block of UFS-backed file {@code path} (loaded from the UFS by the stat). */
  long ufsBlock(String path) throws RpcException {
    return BlockIds.of(stat(path).getId(), 0);
  }

  @Test
  void pinningAFileOrADirectoryPinsItsBlocksOnTheWorkersHoldingThem() throws Exception {
    long w = register(List.of()).getWorkerId();
    long native1 = nativeFile("/n");
    long a = ufsBlock("/m/a");
    long b = ufsBlock("/m/d/b");
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(native1)), heartbeat(w, List.of(native1, a, b)),
        "a Sluice-native block is always kept; UFS-backed ones only when pinned");

    FileInfo pinned = setPinned("/m/a", true);
    assertTrue(pinned.getPinned());
    assertTrue(stat("/m/a").getPinned());
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(a)), heartbeat(w, List.of()));
    assertEquals(Map.of(), heartbeat(w, List.of()), "a command is sent once");

    setPinned("/m/a", false);
    assertEquals(Map.of(WorkerCommand.Type.UNPIN_BLOCKS, List.of(a)), heartbeat(w, List.of()));

    setPinned("/m", true); // everything under the directory, at any depth
    assertFalse(stat("/m/d/b").getPinned(), "the flag is the directory's, not copied into its files");
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(a, b)), heartbeat(w, List.of()));
    setPinned("/m/a", true);
    setPinned("/m", false); // /m/a stays pinned by its own flag
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(a), WorkerCommand.Type.UNPIN_BLOCKS, List.of(b)),
        heartbeat(w, List.of()));

    setPinned("/n", true);
    setPinned("/n", false);
    assertEquals(Map.of(), heartbeat(w, List.of()), "unpinning a Sluice-native file never lets its blocks go");
  }

  @Test
  void aFileMovedIntoOrOutOfAPinnedDirectoryIsPinnedOrUnpinned() throws Exception {
    long w = register(List.of()).getWorkerId();
    long a = ufsBlock("/m/a");
    long b = ufsBlock("/m/d/b");
    heartbeat(w, List.of(a, b));
    setPinned("/m/d", true);
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(b)), heartbeat(w, List.of()));
    call(MasterMethod.RENAME, RenameRequest.newBuilder().setSrc("/m/a").setDst("/m/d/a").build(),
        RenameResponse.parser());
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(a)), heartbeat(w, List.of()));
    call(MasterMethod.RENAME, RenameRequest.newBuilder().setSrc("/m/d/a").setDst("/m/a2").build(),
        RenameResponse.parser());
    assertEquals(Map.of(WorkerCommand.Type.UNPIN_BLOCKS, List.of(a)), heartbeat(w, List.of()));
    call(MasterMethod.RENAME, RenameRequest.newBuilder().setSrc("/m/a2").setDst("/m/a3").build(),
        RenameResponse.parser());
    assertEquals(Map.of(), heartbeat(w, List.of()), "no pinned directory's edge crossed: nothing to tell");
  }

  @Test
  void freeOfAPinnedFileFailsUnlessForced() throws Exception {
    long w = register(List.of()).getWorkerId();
    long a = ufsBlock("/m/a");
    long b = ufsBlock("/m/d/b");
    heartbeat(w, List.of(a, b));
    setPinned("/m/d", true);
    assertEquals(Map.of(WorkerCommand.Type.PIN_BLOCKS, List.of(b)), heartbeat(w, List.of()));
    RpcException e = assertThrows(RpcException.class, () -> call(MasterMethod.FREE,
        FreeRequest.newBuilder().setPath("/m").build(), FreeResponse.parser()));
    assertEquals(Status.INVALID_ARGUMENT, e.status(), e.getMessage());
    assertTrue(e.getMessage().contains("pinned") && e.getMessage().contains("--force"), e.getMessage());
    assertEquals(Map.of(), heartbeat(w, List.of()), "a refused free frees nothing");
    FreeResponse forced = call(MasterMethod.FREE, FreeRequest.newBuilder().setPath("/m").setForce(true).build(),
        FreeResponse.parser());
    assertEquals(2, forced.getFiles());
    assertEquals(Map.of(WorkerCommand.Type.REMOVE_BLOCKS, List.of(a, b)), heartbeat(w, List.of()));
    assertTrue(stat("/m/d").getPinned(), "a forced free leaves the pin");
  }

  @Test
  void pinsSurviveARestartAndARebuildFromTheLogAndRegistrationPinsWhatTheReportMustKeep() throws Exception {
    long w = register(List.of()).getWorkerId();
    long native1 = nativeFile("/n");
    long a = ufsBlock("/m/a");
    long b = ufsBlock("/m/d/b");
    setPinned("/m/d", true);
    assertEquals(List.of(), register(List.of(a)).getPinnedBlockIdsList(), "/m/a is not pinned");

    restart(false);
    assertTrue(stat("/m/d").getPinned());
    assertFalse(stat("/m/a").getPinned());
    // A new leader knows no worker: the worker registers again with its full report and gets its pins back.
    assertEquals(WorkerCommand.Type.REGISTER, call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest
        .newBuilder().setWorkerId(w).build(), WorkerHeartbeatResponse.parser()).getCommands(0).getType());
    RegisterWorkerResponse again = register(List.of(native1, a, b));
    assertEquals(List.of(native1, b), again.getPinnedBlockIdsList().stream().sorted().toList());
    assertEquals(Map.of(), heartbeat(again.getWorkerId(), List.of()), "the pins went with the registration");

    restart(true); // the store is lost: rebuilt by replaying the log, SET_PINNED entries included
    assertTrue(stat("/m/d").getPinned());
    assertEquals(List.of(native1, b), register(List.of(native1, a, b)).getPinnedBlockIdsList().stream().sorted()
        .toList());
  }

  private void restart(boolean loseStore) throws Exception {
    client.close();
    master.close();
    master = null;
    if (loseStore) {
      try (var files = Files.walk(dir.resolve("metastore"))) {
        for (Path x : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(x);
        }
      }
    }
    master = new MasterServer(MasterServerTest.conf(dir), clock).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
  }
}
