package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CompleteFileResponse;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.DeleteResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.GetBlockLocationsRequest;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.GetClusterInfoRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.RenameResponse;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.SetAttributesResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.master.namespace.BlockIds;
import io.sluice.master.security.SecurityKeys;
import io.sluice.master.testing.FakeClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A real master (Ratis, RocksDB, RPC on an ephemeral port) driven by a real RPC client. */
class MasterServerTest {
  @TempDir
  Path dir;
  final FakeClock clock = new FakeClock(1_700_000_000_000L);
  MasterServer master;
  RpcClient client;

  static SluiceConf conf(Path dir) {
    return SluiceConf.defaults().with(MasterKeys.HOST, "127.0.0.1").with(MasterKeys.RPC_PORT, "0")
        .with(MasterKeys.HTTP_PORT, "0")
        .with(MasterKeys.RAFT_PORT, "0").with(MasterKeys.DIR, dir.toString())
        .with(MasterKeys.DEFAULT_BLOCK_SIZE, "1m").with(MasterKeys.WORKER_TIMEOUT, "1h")
        // alice, the tests' user, administers this master; bob is an ordinary user.
        .with(SecurityKeys.STATIC_GROUPS, "alice=supergroup;bob=staff");
  }

  @BeforeEach
  void start() throws Exception {
    master = new MasterServer(conf(dir), clock).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
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

  static void assertStatus(Status expected, Executable call) {
    RpcException e = assertThrows(RpcException.class, call);
    assertEquals(expected, e.status(), e.getMessage());
  }

  List<String> list(String path) throws RpcException {
    return call(MasterMethod.LIST_STATUS, ListStatusRequest.newBuilder().setPath(path).build(),
        ListStatusResponse.parser()).getEntriesList().stream().map(FileInfo::getName).toList();
  }

  @Test
  void writeListRenameDeleteOverRpc() throws Exception {
    FileInfo d = call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/data").build(),
        MkdirResponse.parser()).getInfo();
    assertEquals("alice", d.getOwner(), "the owner is the user of the connection");
    assertEquals(clock.millis(), d.getMtimeMs(), "the leader's clock stamps the entry");
    assertStatus(Status.ALREADY_EXISTS, () -> call(MasterMethod.MKDIR,
        MkdirRequest.newBuilder().setPath("/data").build(), MkdirResponse.parser()));
    FileInfo f = call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/data/f").build(),
        CreateFileResponse.parser()).getInfo();
    assertEquals(1 << 20, f.getBlockSize());
    AddBlockRequest add = AddBlockRequest.newBuilder().setFileId(f.getId()).setPath("/data/f").build();
    assertStatus(Status.UNAVAILABLE, () -> call(MasterMethod.ADD_BLOCK, add, AddBlockResponse.parser()));

    WorkerAddress wa = WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080).build();
    long worker = call(MasterMethod.REGISTER_WORKER, RegisterWorkerRequest.newBuilder().setAddress(wa)
        .setCapacityBytes(1 << 30).build(), RegisterWorkerResponse.parser()).getWorkerId();
    AddBlockResponse block = call(MasterMethod.ADD_BLOCK, add, AddBlockResponse.parser());
    long b0 = BlockIds.of(f.getId(), 0);
    assertEquals(b0, block.getBlock().getBlockId());
    assertEquals(worker, block.getBlock().getLocations(0).getWorkerId());
    assertEquals(wa, block.getBlock().getLocations(0).getAddress());
    WorkerHeartbeatResponse hb = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder()
        .setWorkerId(worker).setCapacityBytes(1 << 30).addAddedBlocks(b0).build(),
        WorkerHeartbeatResponse.parser());
    assertEquals(1, hb.getCommandsCount());
    assertEquals(WorkerCommand.Type.PIN_BLOCKS, hb.getCommands(0).getType(), "a Sluice-native block is kept");
    assertEquals(List.of(b0), hb.getCommands(0).getBlockIdsList());

    BlockMeta written = BlockMeta.newBuilder().setBlockId(b0).setLength(100).build();
    FileInfo done = call(MasterMethod.COMPLETE_FILE, CompleteFileRequest.newBuilder().setFileId(f.getId())
        .addBlocks(written).setLength(100).build(), CompleteFileResponse.parser()).getInfo();
    assertTrue(done.getComplete());
    assertEquals(100, stat("/data/f").getLength());
    GetBlockLocationsResponse locs = call(MasterMethod.GET_BLOCK_LOCATIONS,
        GetBlockLocationsRequest.newBuilder().setPath("/data/f").build(), GetBlockLocationsResponse.parser());
    assertEquals(100, locs.getBlocks(0).getLength());
    assertEquals(worker, locs.getBlocks(0).getLocations(0).getWorkerId());
    assertEquals(List.of("data"), list("/"));
    assertEquals(List.of("f"), list("/data"));

    call(MasterMethod.RENAME, RenameRequest.newBuilder().setSrc("/data/f").setDst("/data/g").build(),
        RenameResponse.parser());
    assertStatus(Status.NOT_FOUND, () -> stat("/data/f"));
    assertEquals(done.getId(), stat("/data/g").getId());
    assertStatus(Status.NOT_EMPTY, () -> call(MasterMethod.DELETE, DeleteRequest.newBuilder().setPath("/data")
        .build(), DeleteResponse.parser()));
    call(MasterMethod.DELETE, DeleteRequest.newBuilder().setPath("/data").setRecursive(true).build(),
        DeleteResponse.parser());
    assertEquals(List.of(), list("/"));
    hb = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder().setWorkerId(worker).build(),
        WorkerHeartbeatResponse.parser());
    assertEquals(WorkerCommand.Type.REMOVE_BLOCKS, hb.getCommands(0).getType());
    assertEquals(List.of(b0), hb.getCommands(0).getBlockIdsList());

    GetClusterInfoResponse info = call(MasterMethod.GET_CLUSTER_INFO, GetClusterInfoRequest.getDefaultInstance(),
        GetClusterInfoResponse.parser());
    assertEquals(1, info.getInodeCount());
    assertEquals(1, info.getWorkersCount());
    assertTrue(info.getWorkers(0).getLive());
    assertEquals(master.advertisedAddress(), info.getLeader());
  }

  @Test
  void aCreateThatAsksPlacesItsFirstBlockAndCompleteDropsItUnwritten() throws Exception {
    CreateFileRequest.Builder create = CreateFileRequest.newBuilder().setPlaceFirstBlock(true);
    CreateFileResponse early = call(MasterMethod.CREATE_FILE, create.setPath("/early").build(),
        CreateFileResponse.parser());
    assertFalse(early.hasFirstBlock(), "no live worker: the block goes unplaced");
    assertStatus(Status.UNAVAILABLE, () -> call(MasterMethod.ADD_BLOCK, AddBlockRequest.newBuilder()
        .setFileId(early.getInfo().getId()).build(), AddBlockResponse.parser()));

    WorkerAddress wa = WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080).build();
    long worker = call(MasterMethod.REGISTER_WORKER, RegisterWorkerRequest.newBuilder().setAddress(wa)
        .setCapacityBytes(1 << 30).build(), RegisterWorkerResponse.parser()).getWorkerId();
    CreateFileResponse f = call(MasterMethod.CREATE_FILE, create.setPath("/f").build(),
        CreateFileResponse.parser());
    long b0 = BlockIds.of(f.getInfo().getId(), 0);
    assertEquals(b0, f.getFirstBlock().getBlockId());
    assertEquals(worker, f.getFirstBlock().getLocations(0).getWorkerId());
    assertEquals(wa, f.getFirstBlock().getLocations(0).getAddress());
    assertEquals(0, stat("/f").getLength());
    WorkerHeartbeatResponse hb = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder()
        .setWorkerId(worker).setCapacityBytes(1 << 30).addAddedBlocks(b0).build(),
        WorkerHeartbeatResponse.parser());
    assertEquals(WorkerCommand.Type.PIN_BLOCKS, hb.getCommands(0).getType(), "the block is the file's: kept");
    // A writer that could not reach the worker asks again: the same block.
    assertEquals(b0, call(MasterMethod.ADD_BLOCK, AddBlockRequest.newBuilder().setFileId(f.getInfo().getId())
        .build(), AddBlockResponse.parser()).getBlock().getBlockId());
    BlockMeta written = BlockMeta.newBuilder().setBlockId(b0).setLength(10).build();
    call(MasterMethod.COMPLETE_FILE, CompleteFileRequest.newBuilder().setFileId(f.getInfo().getId())
        .addBlocks(written).setLength(10).build(), CompleteFileResponse.parser());
    assertEquals(10, stat("/f").getLength());

    // Created and closed without a write: complete drops the block, and a worker that reports it is told, in
    // answer to that heartbeat, to remove it.
    CreateFileResponse empty = call(MasterMethod.CREATE_FILE, create.setPath("/empty").build(),
        CreateFileResponse.parser());
    long e0 = empty.getFirstBlock().getBlockId();
    FileInfo done = call(MasterMethod.COMPLETE_FILE, CompleteFileRequest.newBuilder()
        .setFileId(empty.getInfo().getId()).build(), CompleteFileResponse.parser()).getInfo();
    assertTrue(done.getComplete());
    assertEquals(0, stat("/empty").getLength());
    hb = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder().setWorkerId(worker)
        .setCapacityBytes(1 << 30).addAddedBlocks(e0).build(), WorkerHeartbeatResponse.parser());
    assertEquals(WorkerCommand.Type.REMOVE_BLOCKS, hb.getCommands(0).getType());
    assertEquals(List.of(e0), hb.getCommands(0).getBlockIdsList());

    CreateFileResponse plain = call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/plain")
        .build(), CreateFileResponse.parser());
    assertFalse(plain.hasFirstBlock(), "not asked, not placed");
  }

  /**
   * The create's answer carries a first block only for a file created with one: a retry that asks for it, of a
   * create that did not, is answered with what the first call did, and the block is ADD_BLOCK's to allocate.
   */
  @Test
  void aRetriedCreateIsAnsweredWithTheFirstBlockItsFileHas() throws Exception {
    WorkerAddress wa = WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080).build();
    call(MasterMethod.REGISTER_WORKER, RegisterWorkerRequest.newBuilder().setAddress(wa).setCapacityBytes(1 << 30)
        .build(), RegisterWorkerResponse.parser());
    CreateFileRequest plain = CreateFileRequest.newBuilder().setPath("/r").build();
    long requestId = 42;
    FileInfo first = client.call(MasterMethod.CREATE_FILE_VALUE, plain, CreateFileResponse.parser(), requestId)
        .getInfo();
    CreateFileResponse retried = client.call(MasterMethod.CREATE_FILE_VALUE,
        plain.toBuilder().setPlaceFirstBlock(true).build(), CreateFileResponse.parser(), requestId);
    assertEquals(first.getId(), retried.getInfo().getId(), "the first call's outcome");
    assertFalse(retried.hasFirstBlock(), "its file has no block 0");
    AddBlockResponse added = call(MasterMethod.ADD_BLOCK, AddBlockRequest.newBuilder().setFileId(first.getId())
        .build(), AddBlockResponse.parser());
    assertEquals(BlockIds.of(first.getId(), 0), added.getBlock().getBlockId());
  }

  /**
   * Just after taking over, a leader answers a block no worker has reported as pending (its worker may not have
   * re-registered yet), but not a block with no bytes committed, such as a new file's first, unwritten: nothing
   * will report it, and a reader must not wait for it.
   */
  @Test
  void aNewLeaderHoldsNoReaderForABlockWithNothingWritten() throws Exception {
    CreateFileRequest.Builder create = CreateFileRequest.newBuilder().setPlaceFirstBlock(true);
    FileInfo fresh = call(MasterMethod.CREATE_FILE, create.setPath("/fresh").build(), CreateFileResponse.parser())
        .getInfo();
    assertEquals(1, fresh.getBlocksCount(), "block 0 is allocated, unplaced: no worker");
    assertFalse(locations("/fresh").getLocationsPending());

    FileInfo lost = call(MasterMethod.CREATE_FILE, create.setPath("/lost").build(), CreateFileResponse.parser())
        .getInfo();
    BlockMeta written = BlockMeta.newBuilder().setBlockId(BlockIds.of(lost.getId(), 0)).setLength(10).build();
    call(MasterMethod.COMPLETE_FILE, CompleteFileRequest.newBuilder().setFileId(lost.getId()).addBlocks(written)
        .setLength(10).build(), CompleteFileResponse.parser());
    assertTrue(locations("/lost").getLocationsPending(), "10 bytes written, on a worker not yet reported");
  }

  GetBlockLocationsResponse locations(String path) throws RpcException {
    return call(MasterMethod.GET_BLOCK_LOCATIONS, GetBlockLocationsRequest.newBuilder().setPath(path).build(),
        GetBlockLocationsResponse.parser());
  }

  @Test
  void errorsCarryTheirStatus() throws Exception {
    assertStatus(Status.NOT_FOUND, () -> stat("/nope"));
    assertStatus(Status.INVALID_ARGUMENT, () -> stat("relative"));
    assertStatus(Status.INVALID_ARGUMENT, () -> stat("/a/../b"));
    assertStatus(Status.NOT_FOUND, () -> call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/x/y")
        .build(), MkdirResponse.parser()));
    call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/f").build(),
        CreateFileResponse.parser());
    assertStatus(Status.ALREADY_EXISTS, () -> call(MasterMethod.CREATE_FILE,
        CreateFileRequest.newBuilder().setPath("/f").build(), CreateFileResponse.parser()));
    assertStatus(Status.NOT_DIRECTORY, () -> call(MasterMethod.LIST_STATUS,
        ListStatusRequest.newBuilder().setPath("/f/x").build(), ListStatusResponse.parser()));
    assertStatus(Status.IS_DIRECTORY, () -> call(MasterMethod.CREATE_FILE,
        CreateFileRequest.newBuilder().setPath("/").build(), CreateFileResponse.parser()));
    assertStatus(Status.INVALID_ARGUMENT, () -> call(MasterMethod.RENAME,
        RenameRequest.newBuilder().setSrc("/").setDst("/z").build(), RenameResponse.parser()));
    assertStatus(Status.INVALID_ARGUMENT, () -> client.call(999, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    WorkerHeartbeatResponse hb = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder()
        .setWorkerId(42).build(), WorkerHeartbeatResponse.parser());
    assertEquals(WorkerCommand.Type.REGISTER, hb.getCommands(0).getType());
  }

  @Test
  void silentWorkerIsLostAfterTheTimeout() throws Exception {
    long fileId = call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/f").build(),
        CreateFileResponse.parser()).getInfo().getId();
    long worker = call(MasterMethod.REGISTER_WORKER, RegisterWorkerRequest.newBuilder().setAddress(
        WorkerAddress.newBuilder().setHost("10.0.0.9").setDataPort(7080)).setCapacityBytes(1 << 30).build(),
        RegisterWorkerResponse.parser()).getWorkerId();
    AddBlockRequest add = AddBlockRequest.newBuilder().setFileId(fileId).build();
    assertEquals(worker, call(MasterMethod.ADD_BLOCK, add, AddBlockResponse.parser()).getBlock().getLocations(0)
        .getWorkerId());
    clock.advance(java.time.Duration.ofHours(1).plusMillis(1));
    assertStatus(Status.UNAVAILABLE, () -> call(MasterMethod.ADD_BLOCK, add, AddBlockResponse.parser()));
    WorkerHeartbeatResponse hb = call(MasterMethod.WORKER_HEARTBEAT, WorkerHeartbeatRequest.newBuilder()
        .setWorkerId(worker).build(), WorkerHeartbeatResponse.parser());
    assertEquals(WorkerCommand.Type.REGISTER, hb.getCommands(0).getType());
    assertFalse(call(MasterMethod.GET_CLUSTER_INFO, GetClusterInfoRequest.getDefaultInstance(),
        GetClusterInfoResponse.parser()).getWorkers(0).getLive());
  }

  @Test
  void restartKeepsTheNamespaceWithoutApplyingTwice() throws Exception {
    call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/a/b").setRecursive(true).build(),
        MkdirResponse.parser());
    long fileId = call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/a/b/f").build(),
        CreateFileResponse.parser()).getInfo().getId();
    call(MasterMethod.DELETE, DeleteRequest.newBuilder().setPath("/a/b/f").build(), DeleteResponse.parser());
    call(MasterMethod.CREATE_FILE, CreateFileRequest.newBuilder().setPath("/a/b/f").build(),
        CreateFileResponse.parser());
    long applied = master.store().appliedIndex();
    long inodes = master.store().inodeCount();
    long nextId = master.store().nextInodeId();
    FileInfo before = stat("/a/b/f");
    restart();
    // The whole log is replayed over a store that holds it all: every entry is skipped.
    assertEquals(applied, master.store().appliedIndex());
    assertEquals(inodes, master.store().inodeCount());
    assertEquals(nextId, master.store().nextInodeId());
    assertEquals(before, stat("/a/b/f"));
    assertFalse(master.store().reader().inode(fileId).isPresent());
    FileInfo c = call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/c").build(),
        MkdirResponse.parser()).getInfo();
    assertEquals(nextId, c.getId(), "ids continue after a restart");
  }

  @Test
  void lostStoreIsRebuiltFromTheLog() throws Exception {
    call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/a/b").setRecursive(true).build(),
        MkdirResponse.parser());
    call(MasterMethod.RENAME, RenameRequest.newBuilder().setSrc("/a/b").setDst("/b").build(),
        RenameResponse.parser());
    FileInfo before = stat("/b");
    master.close();
    master = null;
    deleteRecursively(dir.resolve("metastore"));
    restart();
    assertEquals(before, stat("/b"));
    assertEquals(List.of("a", "b"), list("/"));
    assertEquals(3, master.store().inodeCount());
  }

  /**
   * A journal that lost its last entries while the store kept them (what a machine crash can do with
   * sluice.master.journal.sync=false) is refused at start with a clear error: served, the next operations would get
   * the lost entries' indexes and be skipped as applied. The refusal changes nothing: with the whole journal back,
   * every operation is there.
   */
  @Test
  void aJournalThatLostEntriesTheStoreAppliedIsRefusedAtStart() throws Exception {
    call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/a").build(), MkdirResponse.parser());
    stopMaster();
    Path journal = dir.resolve("journal");
    Path shorter = dir.getParent().resolve(dir.getFileName() + "-journal-before-b");
    copyRecursively(journal, shorter);
    restart();
    for (String d : List.of("/b1", "/b2", "/b3")) {
      call(MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath(d).build(), MkdirResponse.parser());
    }
    stopMaster();
    Path whole = dir.getParent().resolve(dir.getFileName() + "-journal-whole");
    java.nio.file.Files.move(journal, whole);
    java.nio.file.Files.move(shorter, journal);
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> new MasterServer(conf(dir), clock).start());
    assertTrue(e.getMessage().contains("journal lost entries after acknowledging them"), e.getMessage());
    deleteRecursively(journal);
    java.nio.file.Files.move(whole, journal);
    restart();
    assertEquals(List.of("a", "b1", "b2", "b3"), list("/"));
  }

  private void stopMaster() {
    client.close();
    master.close();
    master = null;
  }

  private static void copyRecursively(Path from, Path to) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(from)) {
      for (Path x : files.toList()) {
        java.nio.file.Files.copy(x, to.resolve(from.relativize(x).toString()));
      }
    }
  }

  @Test
  void permissionsFollowTheHandshakesUserAndSetAttributesChangesThem() throws Exception {
    try (RpcClient bob = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("bob"))) {
      MkdirRequest home = MkdirRequest.newBuilder().setPath("/bob").build();
      RpcException e = assertThrows(RpcException.class,
          () -> bob.call(MasterMethod.MKDIR_VALUE, home, MkdirResponse.parser()));
      assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
      assertTrue(e.getMessage().contains("/"), e.getMessage());
      call(MasterMethod.MKDIR, home, MkdirResponse.parser());
      FileInfo given = call(MasterMethod.SET_ATTRIBUTES, SetAttributesRequest.newBuilder().setPath("/bob")
          .setOwner("bob").setGroup("staff").setMode(0750).build(), SetAttributesResponse.parser()).getInfo();
      assertEquals("bob", given.getOwner());
      assertEquals(0750, given.getMode());
      FileInfo mine = bob.call(MasterMethod.MKDIR_VALUE, MkdirRequest.newBuilder().setPath("/bob/work").build(),
          MkdirResponse.parser()).getInfo();
      assertEquals("bob", mine.getOwner());
      assertEquals("staff", mine.getGroup());
      e = assertThrows(RpcException.class, () -> bob.call(MasterMethod.SET_ATTRIBUTES_VALUE,
          SetAttributesRequest.newBuilder().setPath("/bob").setOwner("alice").build(), SetAttributesResponse.parser()));
      assertEquals(Status.PERMISSION_DENIED, e.status(), "only the superuser gives files away");
    }
    assertEquals(0750, stat("/bob").getMode(), "a denied change changed nothing");
  }

  private void restart() throws Exception {
    client.close();
    if (master != null) {
      master.close();
    }
    master = new MasterServer(conf(dir), clock).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
  }

  private static void deleteRecursively(Path p) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(p)) {
      for (Path x : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(x);
      }
    }
  }

  @Test
  void retriedMutationsReturnTheirFirstOutcomeAlsoAfterARestart() throws Exception {
    int mkdir = MasterMethod.MKDIR.getNumber();
    MkdirRequest req = MkdirRequest.newBuilder().setPath("/once").build();
    FileInfo made = client.call(mkdir, req, MkdirResponse.parser(), 41).getInfo();
    // The same logical call again (as after a lost answer): the same outcome, not ALREADY_EXISTS.
    assertEquals(made, client.call(mkdir, req, MkdirResponse.parser(), 41).getInfo());
    // A new call is a new request.
    assertStatus(Status.ALREADY_EXISTS, () -> client.call(mkdir, req, MkdirResponse.parser(), 42));

    int delete = MasterMethod.DELETE.getNumber();
    DeleteRequest del = DeleteRequest.newBuilder().setPath("/once").build();
    client.call(delete, del, DeleteResponse.parser(), 43);
    restart(); // the record lives in the store, like the namespace: a new leader answers the retry too
    client.call(delete, del, DeleteResponse.parser(), 43); // not NOT_FOUND
    assertStatus(Status.NOT_FOUND, () -> client.call(delete, del, DeleteResponse.parser(), 44));
  }
}
