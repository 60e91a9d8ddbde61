package io.sluice.master.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.ApplyResults;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.CompleteFileOp;
import io.sluice.master.namespace.CreateFileOp;
import io.sluice.master.namespace.FreeOp;
import io.sluice.master.namespace.GetBlockLocationsOp;
import io.sluice.master.namespace.GetStatusOp;
import io.sluice.master.namespace.InodeIdAllocator;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.ListStatusOp;
import io.sluice.master.namespace.MkdirOp;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.testing.DirectJournal;
import io.sluice.master.testing.FakeClock;
import io.sluice.ufs.UfsRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounts and cache-mode metadata on a real store and a real local UFS directory, the journal applied directly. */
class MountSyncTest {
  static final long BLOCK_SIZE = 1000;
  static final Caller ADMIN = new Caller("admin", Set.of(), true);
  static final Caller BOB = new Caller("bob", Set.of(), false);

  @TempDir
  Path tmp;
  Path ufs;
  NamespaceStore store;
  DirectJournal journal;
  FakeClock clock = new FakeClock(1_000_000);
  LeaderContext ctx;
  MountService mounts;
  List<Long> removedBlocks = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    ufs = Files.createDirectories(tmp.resolve("ufs"));
    store = NamespaceStore.open(tmp.resolve("store"), "admin");
    journal = new DirectJournal(store);
    ctx = new LeaderContext(store, new InodeIdAllocator(store::nextInodeId), clock, BLOCK_SIZE);
    mounts = new MountService(ctx, journal, UfsRegistry.load(), Duration.ofSeconds(30), removedBlocks::addAll);
  }

  @AfterEach
  void close() {
    mounts.close();
    store.close();
  }

  ApplyResult run(Prepared p) throws RpcException {
    ApplyResult r = p.answer() != null ? p.answer() : journal.propose(p.entry()).join();
    RpcException e = ApplyResults.toException(r);
    if (e != null) {
      throw e;
    }
    return r;
  }

  FileInfo mount(String path, Path dir, long syncMs) throws RpcException {
    return run(mounts.prepareMount(MountRequest.newBuilder().setPath(path).setUfsUri(dir.toUri().toString())
        .setSyncIntervalMs(syncMs).build(), ADMIN)).getInfo();
  }

  FileInfo stat(String path) throws RpcException {
    mounts.sync(path, false);
    return GetStatusOp.run(store.reader(), path, ADMIN);
  }

  List<String> list(String path) throws RpcException {
    mounts.sync(path, true);
    return ListStatusOp.run(store.reader(), ListStatusRequest.newBuilder().setPath(path).build(), ADMIN)
        .getEntriesList().stream().map(FileInfo::getName).toList();
  }

  static Status status(RpcCall call) {
    return assertThrows(RpcException.class, call::run).status();
  }

  interface RpcCall {
    void run() throws Exception;
  }

  @Test
  void aMountIsADirectoryInTheTableAndItsFilesLoadOnFirstAccess() throws Exception {
    Files.createDirectories(ufs.resolve("logs"));
    Files.write(ufs.resolve("logs/day1.txt"), new byte[2500]);
    FileInfo point = mount("/data", ufs, 60_000);
    assertEquals(FileType.DIRECTORY, point.getType());
    assertEquals(point.getId(), point.getMountId(), "the mount id is the mount point's inode id");
    MountInfo m = mounts.mounts().getMounts(0);
    assertEquals("/data", m.getPath());
    assertEquals(60_000, m.getSyncIntervalMs());
    assertEquals(1, m.getReplicas());

    FileInfo f = stat("/data/logs/day1.txt");
    assertEquals(FileType.FILE, f.getType());
    assertEquals(2500, f.getLength());
    assertTrue(f.getComplete());
    assertEquals(point.getId(), f.getMountId());
    assertEquals(List.of(1000L, 1000L, 500L), f.getBlocksList().stream().map(b -> b.getLength()).toList());
    assertEquals(List.of("logs"), list("/data"));
    assertEquals(List.of("day1.txt"), list("/data/logs"));
    assertEquals(Status.NOT_FOUND, status(() -> stat("/data/logs/none")));
  }

  @Test
  void blockLocationsCarryTheUfsSourceAndAReadThroughWorker() throws Exception {
    Files.write(ufs.resolve("f"), new byte[1500]);
    mount("/m", ufs, 60_000);
    stat("/m/f");
    BlockLocation worker = BlockLocation.newBuilder().setWorkerId(7).build();
    GetBlockLocationsResponse r = GetBlockLocationsOp.run(store.reader(), "/m/f", b -> List.of(),
        b -> Optional.of(worker), ADMIN);
    BlockInfo second = r.getBlocks(1);
    assertEquals("f", second.getUfs().getUfsPath());
    assertEquals(1000, second.getUfs().getOffset());
    assertEquals(500, second.getUfs().getLength());
    assertEquals(r.getInfo().getMountId(), second.getUfs().getMountId());
    assertFalse(second.getUfs().getFingerprint().isEmpty());
    assertFalse(second.getCached());
    assertEquals(List.of(worker), second.getLocationsList());
    GetBlockLocationsResponse cached = GetBlockLocationsOp.run(store.reader(), "/m/f",
        b -> List.of(BlockLocation.newBuilder().setWorkerId(3).build()), b -> Optional.of(worker), ADMIN);
    assertTrue(cached.getBlocks(0).getCached());
    assertEquals(3, cached.getBlocks(0).getLocations(0).getWorkerId());
  }

  @Test
  void aChangedFileGetsANewInodeAfterTheIntervalAndItsOldBlocksAreDropped() throws Exception {
    Path file = Files.write(ufs.resolve("f"), new byte[1500]);
    mount("/m", ufs, 10_000);
    FileInfo before = stat("/m/f");
    Files.write(file, new byte[700]);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(123_000));
    clock.advance(Duration.ofSeconds(5));
    assertEquals(before, stat("/m/f"), "within the sync interval the UFS is not asked again");
    clock.advance(Duration.ofSeconds(6));
    FileInfo after = stat("/m/f");
    assertNotEquals(before.getId(), after.getId());
    assertEquals(700, after.getLength());
    assertEquals(before.getBlocksList().stream().map(b -> b.getBlockId()).toList(), removedBlocks);

    Files.write(file, new byte[300]);
    assertEquals(after, stat("/m/f"), "within the interval again");
    mounts.sync("/m/f", false, true);
    assertEquals(300, GetStatusOp.run(store.reader(), "/m/f", ADMIN).getLength(),
        "a reader that saw STALE asks for a check now (refresh_ufs)");
  }

  @Test
  void filesDeletedOrAddedInTheUfsShowInListingsAfterTheInterval() throws Exception {
    Files.write(ufs.resolve("a"), new byte[10]);
    Files.write(ufs.resolve("b"), new byte[10]);
    mount("/m", ufs, 10_000);
    assertEquals(List.of("a", "b"), list("/m"));
    Files.delete(ufs.resolve("a"));
    Files.write(ufs.resolve("c"), new byte[10]);
    assertEquals(List.of("a", "b"), list("/m"));
    clock.advance(Duration.ofSeconds(11));
    assertEquals(List.of("b", "c"), list("/m"));
    assertEquals(Status.NOT_FOUND, status(() -> stat("/m/a")));
  }

  @Test
  void aZeroIntervalChecksEveryAccessAndNeverTrustsWhatItLoadedOnce() throws Exception {
    mount("/always", Files.createDirectories(tmp.resolve("u0")), 0);
    Files.write(tmp.resolve("u0/x"), new byte[1]);
    assertEquals(1, stat("/always/x").getLength());
    Files.write(tmp.resolve("u0/x"), new byte[2]);
    assertEquals(2, stat("/always/x").getLength());
    mount("/never", Files.createDirectories(tmp.resolve("u1")), -1);
    Files.write(tmp.resolve("u1/y"), new byte[1]);
    assertEquals(1, stat("/never/y").getLength());
    Files.write(tmp.resolve("u1/y"), new byte[2]);
    clock.advance(Duration.ofDays(1));
    assertEquals(1, stat("/never/y").getLength(), "-1: loaded once, never checked again");
  }

  @Test
  void mountsAreCheckedBeforeAnythingIsJournaled() throws Exception {
    run(MkdirOp.prepare(MkdirRequest.newBuilder().setPath("/exists").build(), ADMIN, ctx));
    mount("/m", ufs, 0);
    int entries = journal.proposed.size();
    assertEquals(Status.INVALID_ARGUMENT, status(() -> mount("/", ufs, 0)));
    assertEquals(Status.ALREADY_EXISTS, status(() -> mount("/exists", tmp, 0)));
    assertEquals(Status.NOT_FOUND, status(() -> mount("/no/such", tmp.resolve("other"), 0)));
    assertEquals(Status.INVALID_ARGUMENT, status(() -> mount("/m/inner", tmp.resolve("other"), 0)), "nested");
    assertEquals(Status.INVALID_ARGUMENT, status(() -> mount("/m2", ufs.resolve("sub"), 0)), "inside a mounted UFS");
    assertEquals(Status.INVALID_ARGUMENT, status(() -> mount("/m3", tmp, 0)), "holds a mounted UFS");
    assertEquals(Status.INVALID_ARGUMENT, status(() -> run(mounts.prepareMount(MountRequest.newBuilder()
        .setPath("/m7").setUfsUri("file:" + ufs).build(), ADMIN))), "the same directory spelled file:/x");
    assertEquals(Status.UFS_ERROR, status(() -> mount("/m4", tmp.resolve("missing"), 0)));
    RpcException noConnector = assertThrows(RpcException.class, () -> run(mounts.prepareMount(
        MountRequest.newBuilder().setPath("/m5").setUfsUri("nosuchscheme://x/y").build(), ADMIN)));
    assertEquals(Status.INVALID_ARGUMENT, noConnector.status(), noConnector.getMessage());
    assertEquals(Status.PERMISSION_DENIED, status(() -> run(mounts.prepareMount(MountRequest.newBuilder()
        .setPath("/m6").setUfsUri(tmp.resolve("u6").toUri().toString()).build(), BOB))));
    assertEquals(entries, journal.proposed.size());
  }

  @Test
  void unmountDropsTheSubtreeAndItsBlocksButNotTheUfs() throws Exception {
    Files.write(ufs.resolve("f"), new byte[2000]);
    mount("/m", ufs, 60_000);
    FileInfo f = stat("/m/f");
    assertEquals(Status.PERMISSION_DENIED, status(() -> run(mounts.prepareUnmount(
        UnmountRequest.newBuilder().setPath("/m").build(), BOB))));
    ApplyResult r = run(mounts.prepareUnmount(UnmountRequest.newBuilder().setPath("/m").build(), ADMIN));
    assertEquals(Status.NOT_FOUND, status(() -> stat("/m")));
    assertEquals(f.getBlocksList().stream().map(b -> b.getBlockId()).toList(), r.getRemovedBlockIdsList());
    assertTrue(Files.exists(ufs.resolve("f")));
    assertEquals(0, mounts.mounts().getMountsCount());
    assertEquals(Status.INVALID_ARGUMENT, status(() -> run(mounts.prepareUnmount(
        UnmountRequest.newBuilder().setPath("/").build(), ADMIN))));
  }

  @Test
  void aFileWrittenUnderAMountIsUfsBackedAndCompletesOnlyWithItsUfsFingerprint() throws Exception {
    mount("/m", ufs, 60_000);
    FileInfo created = run(CreateFileOp.prepare(CreateFileRequest.newBuilder().setPath("/m/new.txt").build(), ADMIN,
        ctx)).getInfo();
    assertEquals(stat("/m").getId(), created.getMountId(), "inherits the mount from its directory");
    CompleteFileRequest.Builder complete = CompleteFileRequest.newBuilder().setFileId(created.getId())
        .setPath("/m/new.txt");
    assertEquals(Status.INVALID_ARGUMENT, status(() -> run(CompleteFileOp.prepare(complete.build(), ctx))),
        "not written through");
    // The writer wrote the UFS file and completes with the fingerprint the UFS reports for it.
    Files.write(ufs.resolve("new.txt"), new byte[0]);
    String fingerprint;
    try (io.sluice.ufs.UnderFileSystem local = UfsRegistry.load().create(ufs.toUri(), java.util.Map.of())) {
      fingerprint = local.getStatus(io.sluice.ufs.UfsPath.parse("new.txt")).orElseThrow().fingerprint();
    }
    run(CompleteFileOp.prepare(complete.setUfsFingerprint(fingerprint).build(), ctx));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(created.getId(), stat("/m/new.txt").getId(), "the next sync finds it matching: kept, not replaced");
    assertTrue(list("/m").contains("new.txt"));
  }

  @Test
  void freeDropsTheBlocksOfUfsBackedFilesOnly() throws Exception {
    Files.write(ufs.resolve("a"), new byte[2500]);
    Files.createDirectories(ufs.resolve("d"));
    Files.write(ufs.resolve("d/b"), new byte[10]);
    mount("/m", ufs, 60_000);
    list("/m");
    FileInfo a = stat("/m/a");
    FileInfo b = stat("/m/d/b");
    run(CreateFileOp.prepare(CreateFileRequest.newBuilder().setPath("/native").build(), ADMIN, ctx));
    FreeOp.Plan plan = FreeOp.plan(store.reader(), "/m", ADMIN);
    List<Long> expected = new ArrayList<>();
    a.getBlocksList().forEach(m -> expected.add(m.getBlockId()));
    b.getBlocksList().forEach(m -> expected.add(m.getBlockId()));
    assertEquals(new TreeSet<>(expected), new TreeSet<>(plan.blockIds()));
    assertEquals(2, plan.counts().getFiles());
    assertEquals(1, FreeOp.plan(store.reader(), "/", ADMIN).counts().getSkippedFiles(),
        "a Sluice-only file is never freed");
    assertEquals(Status.PERMISSION_DENIED,
        status(() -> FreeOp.plan(store.reader(), "/m/a", BOB)), "needs write");
  }

  @Test
  void mutationsMayNotTouchMountPointsOrUfsBackedPaths() throws Exception {
    Files.createDirectories(tmp.resolve("ro-ufs"));
    run(MkdirOp.prepare(MkdirRequest.newBuilder().setPath("/top").build(), ADMIN, ctx));
    mount("/top/m", ufs, 60_000);
    assertEquals(Status.INVALID_ARGUMENT, status(() -> MountGuard.checkHoldsNoMount(store.reader(), "/top")));
    assertEquals(Status.INVALID_ARGUMENT, status(() -> MountGuard.checkHoldsNoMount(store.reader(), "/top/m")));
    assertEquals(Status.INVALID_ARGUMENT,
        status(() -> MountGuard.checkNotUnderMount(store.reader(), "/top/m/x", "files")));
    MountGuard.checkHoldsNoMount(store.reader(), "/top/other");
    MountGuard.checkNotUnderMount(store.reader(), "/top/mm", "files");
    MountGuard.checkWritable(store.reader(), "/top/m/x");
    run(mounts.prepareMount(MountRequest.newBuilder().setPath("/ro").setUfsUri(tmp.resolve("ro-ufs").toUri()
        .toString()).setReadOnly(true).build(), ADMIN));
    assertEquals(Status.PERMISSION_DENIED, status(() -> MountGuard.checkWritable(store.reader(), "/ro/x")));
  }
}
