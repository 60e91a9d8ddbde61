package io.sluice.master.ttl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.SetTtlRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.AllocatedBlocks;
import io.sluice.master.namespace.ApplyResults;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.CreateFileOp;
import io.sluice.master.namespace.DeleteOp;
import io.sluice.master.namespace.GetStatusOp;
import io.sluice.master.namespace.InodeIdAllocator;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.MkdirOp;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.namespace.SetTtlOp;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.testing.DirectJournal;
import io.sluice.master.testing.FakeClock;
import io.sluice.master.worker.WorkerRegistry;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.UnderFileSystemFactory;
import io.sluice.ufs.local.LocalUfsFactory;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TTLs on a real store and a real local UFS directory, the journal applied directly and time moved by hand: each
 * test calls {@link TtlEnforcer#check()} itself (the enforcer's own thread waits a day, so it never runs).
 */
class TtlEnforcerTest {
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
  WorkerRegistry registry;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  TtlEnforcer enforcer;
  /** While set, deleting in the UFS fails as an unreachable store would. */
  final AtomicBoolean ufsDown = new AtomicBoolean();

  @BeforeEach
  void open() throws Exception {
    ufs = Files.createDirectories(tmp.resolve("ufs"));
    store = NamespaceStore.open(tmp.resolve("store"), "admin");
    journal = new DirectJournal(store);
    ctx = new LeaderContext(store, new InodeIdAllocator(store::nextInodeId), clock, BLOCK_SIZE);
    registry = new WorkerRegistry(clock, Duration.ofHours(1), b -> AllocatedBlocks.isAllocated(store.reader(), b));
    mounts = new MountService(ctx, journal, flakyLocalUfs(), Duration.ofSeconds(30), registry::removeBlocks);
    enforcer = new TtlEnforcer(ctx, journal, mounts, registry, Duration.ofDays(1), meters);
  }

  @AfterEach
  void close() {
    enforcer.close();
    mounts.close();
    store.close();
  }

  /** Local directories as UFSs, whose deletes fail with an I/O error while {@link #ufsDown} is set. */
  UfsRegistry flakyLocalUfs() {
    LocalUfsFactory local = new LocalUfsFactory();
    return new UfsRegistry(List.of(new UnderFileSystemFactory() {
      @Override
      public boolean supports(URI root) {
        return local.supports(root);
      }

      @Override
      public UnderFileSystem create(URI root, Map<String, String> options) throws IOException {
        UnderFileSystem real = local.create(root, options);
        return (UnderFileSystem) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {UnderFileSystem.class}, (proxy, method, args) -> {
              if (method.getName().equals("delete") && ufsDown.get()) {
                throw new IOException("connection refused");
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
      }
    }));
  }

  /**
   * Writes a file into a UFS directory, dated now by the fake clock, as are the directories made for it (a TTL counts
   * from when Sluice loads the inode, whatever its UFS time).
   */
  Path writeUfs(Path root, String name, int length) throws IOException {
    Path file = root.resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[length]);
    for (Path p = file; !p.equals(root); p = p.getParent()) {
      Files.setLastModifiedTime(p, FileTime.fromMillis(clock.millis()));
    }
    return file;
  }

  ApplyResult run(Prepared p) throws RpcException {
    ApplyResult r = p.answer() != null ? p.answer() : journal.propose(p.entry()).join();
    RpcException e = ApplyResults.toException(r);
    if (e != null) {
      throw e;
    }
    return r;
  }

  void mount(String path, Path dir, boolean readOnly) throws RpcException {
    run(mounts.prepareMount(MountRequest.newBuilder().setPath(path).setUfsUri(dir.toUri().toString())
        .setSyncIntervalMs(60_000).setReadOnly(readOnly).build(), ADMIN));
  }

  FileInfo stat(String path) throws RpcException {
    mounts.sync(path, false);
    return GetStatusOp.run(store.reader(), path, ADMIN);
  }

  FileInfo setTtl(String path, Duration ttl, TtlAction action, Caller caller) throws RpcException {
    return run(SetTtlOp.prepare(SetTtlRequest.newBuilder().setPath(path).setTtlMs(ttl.toMillis()).setAction(action)
        .build(), caller, ctx)).getInfo();
  }

  void mkdir(String path) throws RpcException {
    run(MkdirOp.prepare(MkdirRequest.newBuilder().setPath(path).setRecursive(true).build(), ADMIN, ctx));
  }

  void create(String path) throws RpcException {
    run(CreateFileOp.prepare(CreateFileRequest.newBuilder().setPath(path).setRecursive(true).build(), ADMIN, ctx));
  }

  boolean exists(String path) {
    try {
      GetStatusOp.run(store.reader(), path, ADMIN);
      return true;
    } catch (RpcException e) {
      assertEquals(Status.NOT_FOUND, e.status(), e.getMessage());
      return false;
    }
  }

  /** A worker that has every block of {@code files} cached. */
  void cacheOnAWorker(FileInfo... files) {
    RegisterWorkerRequest.Builder req = RegisterWorkerRequest.newBuilder()
        .setAddress(WorkerAddress.newBuilder().setHost("w1").setDataPort(7080)).setCapacityBytes(1 << 30);
    for (FileInfo f : files) {
      f.getBlocksList().forEach(b -> req.addBlockIds(b.getBlockId()));
    }
    registry.register(req.build());
  }

  List<Long> ttlKeys() {
    return store.reader().ttlInodes(0, 10_000);
  }

  double actions(String action) {
    return meters.counter(TtlEnforcer.ACTIONS, "action", action).count();
  }

  static Status status(RpcCall call) {
    return assertThrows(RpcException.class, call::run).status();
  }

  interface RpcCall {
    void run() throws Exception;
  }

  @Test
  void aDeleteTtlDeletesThePathAndItsUfsFileOnlyOnceItRunsOut() throws Exception {
    writeUfs(ufs, "logs/day1.txt", 2500);
    mount("/m", ufs, false);
    FileInfo file = stat("/m/logs/day1.txt");
    cacheOnAWorker(file);
    FileInfo set = setTtl("/m/logs/day1.txt", Duration.ofSeconds(10), TtlAction.TTL_DELETE, ADMIN);
    assertEquals(10_000, set.getTtlMs());
    assertEquals(TtlAction.TTL_DELETE, set.getTtlAction());
    assertEquals(List.of(file.getId()), ttlKeys());
    int proposed = journal.proposed.size();

    clock.advance(Duration.ofSeconds(9));
    enforcer.check();
    assertTrue(exists("/m/logs/day1.txt"), "9 s after creation a 10 s TTL has not run out");
    assertEquals(proposed, journal.proposed.size(), "nothing proposed before expiry");

    clock.advance(Duration.ofSeconds(2));
    enforcer.check();
    assertFalse(exists("/m/logs/day1.txt"));
    assertFalse(Files.exists(ufs.resolve("logs/day1.txt")), "deleted in the UFS too, as the DELETE RPC does");
    assertTrue(Files.exists(ufs.resolve("logs")), "only the path itself");
    assertTrue(exists("/m/logs"));
    for (BlockMeta b : file.getBlocksList()) {
      assertEquals(List.of(), registry.locations(b.getBlockId()), "its blocks are dropped from the workers");
    }
    assertEquals(List.of(), ttlKeys(), "the index key of the deleted inode is cleared in the same pass");
    assertEquals(1, actions("delete"));
    JournalEntry delete = journal.proposed.stream().filter(JournalEntry::hasDelete).findFirst().orElseThrow();
    assertTrue(delete.getDelete().getRecursive());
    assertTrue(delete.getCaller().getSuperuser(), "acts as the system");
  }

  @Test
  void aDeleteTtlOnADirectoryDeletesItsWholeSubtree() throws Exception {
    create("/tmp/job1/part-0");
    create("/tmp/job1/sub/part-1");
    setTtl("/tmp/job1", Duration.ofHours(1), TtlAction.TTL_DELETE, ADMIN);
    clock.advance(Duration.ofHours(1));
    enforcer.check();
    assertFalse(exists("/tmp/job1"));
    assertTrue(exists("/tmp"));
    assertEquals(List.of(), ttlKeys());
  }

  @Test
  void aFreeTtlDropsTheCachedBlocksKeepsTheFilesAndClearsTheTtl() throws Exception {
    writeUfs(ufs, "d/a", 2500);
    writeUfs(ufs, "d/b", 700);
    mount("/m", ufs, false);
    stat("/m/d");
    FileInfo a = stat("/m/d/a");
    FileInfo b = stat("/m/d/b");
    cacheOnAWorker(a, b);
    assertFalse(registry.locations(a.getBlocks(0).getBlockId()).isEmpty());
    setTtl("/m/d", Duration.ofMinutes(1), TtlAction.TTL_FREE, ADMIN);

    clock.advance(Duration.ofMinutes(2));
    enforcer.check();
    for (FileInfo f : List.of(a, b)) {
      for (BlockMeta m : f.getBlocksList()) {
        assertEquals(List.of(), registry.locations(m.getBlockId()), "block " + m.getBlockId() + " freed");
      }
      assertTrue(exists("/m/d/" + f.getName()), "a free keeps the metadata");
    }
    assertTrue(Files.exists(ufs.resolve("d/a")), "and the UFS data");
    FileInfo dir = GetStatusOp.run(store.reader(), "/m/d", ADMIN);
    assertEquals(0, dir.getTtlMs(), "the TTL is cleared after a free (as Alluxio does)");
    assertEquals(TtlAction.TTL_ACTION_UNSPECIFIED, dir.getTtlAction());
    assertEquals(List.of(), ttlKeys());
    assertEquals(1, actions("free"));
    assertEquals(0, actions("delete"));

    int proposed = journal.proposed.size();
    enforcer.check();
    assertEquals(proposed, journal.proposed.size(), "a freed path is not freed again");
  }

  @Test
  void aMasterThatDoesNotLeadDoesNothingAndTheNextLeaderActs() throws Exception {
    create("/f");
    setTtl("/f", Duration.ofSeconds(1), TtlAction.TTL_DELETE, ADMIN);
    clock.advance(Duration.ofMinutes(1));
    journal.term = -1;
    int proposed = journal.proposed.size();
    enforcer.check();
    assertTrue(exists("/f"));
    assertEquals(proposed, journal.proposed.size(), "a follower proposes nothing");
    assertEquals(1, ttlKeys().size());

    journal.term = 2;  // leading again (as after a failover): the TTL is in the store, so it acts
    enforcer.check();
    assertFalse(exists("/f"));
  }

  @Test
  void indexKeysOfDeletedInodesAreClearedInBatches() throws Exception {
    int files = TtlEnforcer.PAGE + 5;  // more than one page and more than one ClearTtlEntry
    for (int i = 0; i < files; i++) {
      create("/d/f" + i);
      setTtl("/d/f" + i, Duration.ofDays(30), TtlAction.TTL_DELETE, ADMIN);
    }
    run(DeleteOp.prepare(DeleteRequest.newBuilder().setPath("/d").setRecursive(true).build(), ADMIN, ctx));
    assertEquals(files, ttlKeys().size(), "deleting a subtree leaves the keys of its TTLs");
    int proposed = journal.proposed.size();

    enforcer.check();  // long before any TTL ran out: the keys go because their inodes did
    assertEquals(List.of(), ttlKeys());
    List<JournalEntry> clears = journal.proposed.subList(proposed, journal.proposed.size());
    assertEquals(2, clears.size(), clears.toString());
    assertTrue(clears.stream().allMatch(e -> e.hasClearTtl()
        && e.getClearTtl().getInodeIdsCount() <= TtlEnforcer.PAGE));
    assertEquals(files, clears.stream().mapToInt(e -> e.getClearTtl().getInodeIdsCount()).sum());
    assertEquals(0, actions("delete"), "clearing a dangling key is no action");
  }

  @Test
  void aMountPointOrAReadOnlyMountCannotExpireByDeleteAndLosesItsTtl() throws Exception {
    Path ro = Files.createDirectories(tmp.resolve("ro"));
    writeUfs(ro, "kept", 10);
    mount("/m", ufs, false);
    mount("/ro", ro, true);
    stat("/ro/kept");
    setTtl("/m", Duration.ofSeconds(1), TtlAction.TTL_DELETE, ADMIN);
    setTtl("/ro/kept", Duration.ofSeconds(1), TtlAction.TTL_DELETE, ADMIN);
    clock.advance(Duration.ofSeconds(5));
    enforcer.check();
    assertTrue(exists("/m"), "a mount point is only unmounted");
    assertTrue(exists("/ro/kept"));
    assertTrue(Files.exists(ro.resolve("kept")));
    assertEquals(List.of(), ttlKeys(), "refused for good: not tried again every interval");
    assertEquals(0, stat("/ro/kept").getTtlMs());
    assertEquals(0, actions("delete"));
  }

  @Test
  void aUfsFailureKeepsTheTtlAndTheNextCheckDeletes() throws Exception {
    writeUfs(ufs, "f", 10);
    mount("/m", ufs, false);
    stat("/m/f");
    setTtl("/m/f", Duration.ofSeconds(1), TtlAction.TTL_DELETE, ADMIN);
    clock.advance(Duration.ofSeconds(5));
    ufsDown.set(true);
    enforcer.check();
    assertTrue(exists("/m/f"), "nothing proposed when the UFS delete failed");
    assertTrue(Files.exists(ufs.resolve("f")));
    assertEquals(1, ttlKeys().size(), "a passing failure: tried again next interval");

    ufsDown.set(false);
    enforcer.check();
    assertFalse(exists("/m/f"));
    assertFalse(Files.exists(ufs.resolve("f")));
  }

  @Test
  void aTtlNeedsAnActionAndWritePermission() throws Exception {
    create("/f");
    assertEquals(Status.INVALID_ARGUMENT, status(() -> run(SetTtlOp.prepare(SetTtlRequest.newBuilder()
        .setPath("/f").setTtlMs(1000).build(), ADMIN, ctx))));
    assertEquals(Status.INVALID_ARGUMENT, status(() -> setTtl("/f", Duration.ofMillis(-1), TtlAction.TTL_FREE,
        ADMIN)));
    assertEquals(Status.PERMISSION_DENIED, status(() -> setTtl("/f", Duration.ofDays(1), TtlAction.TTL_DELETE,
        BOB)), "bob may not write the admin's 0644 file");
    assertEquals(List.of(), ttlKeys());
    assertEquals(Status.NOT_FOUND, status(() -> setTtl("/none", Duration.ofDays(1), TtlAction.TTL_FREE, ADMIN)));
  }

  @Test
  void aZeroTtlClearsTheTtlAndItsIndexKey() throws Exception {
    create("/f");
    setTtl("/f", Duration.ofMinutes(1), TtlAction.TTL_DELETE, ADMIN);
    assertEquals(1, ttlKeys().size());
    FileInfo cleared = setTtl("/f", Duration.ZERO, TtlAction.TTL_ACTION_UNSPECIFIED, ADMIN);
    assertEquals(0, cleared.getTtlMs());
    assertEquals(TtlAction.TTL_ACTION_UNSPECIFIED, cleared.getTtlAction());
    assertEquals(List.of(), ttlKeys());
    clock.advance(Duration.ofHours(1));
    enforcer.check();
    assertTrue(exists("/f"), "no TTL, no action");
  }

  @Test
  void theTtlCountsFromCreationNotFromWhenItWasSet() throws Exception {
    create("/f");
    clock.advance(Duration.ofMinutes(50));
    setTtl("/f", Duration.ofHours(1), TtlAction.TTL_DELETE, ADMIN);
    clock.advance(Duration.ofMinutes(11));
    enforcer.check();
    assertFalse(exists("/f"), "created 61 minutes ago with a 1 h TTL");
  }

  @Test
  void aUfsFileCountsItsTtlFromWhenSluiceLoadedItNotFromItsUfsAge() throws Exception {
    Path old = writeUfs(ufs, "old.csv", 100);
    Files.setLastModifiedTime(old, FileTime.fromMillis(clock.millis() - Duration.ofDays(365).toMillis()));
    mount("/m", ufs, false);
    stat("/m/old.csv");  // loads it, as the SET_TTL RPC does first
    setTtl("/m/old.csv", Duration.ofDays(7), TtlAction.TTL_DELETE, ADMIN);
    enforcer.check();
    assertTrue(exists("/m/old.csv"), "a year old in the UFS, loaded just now");
    assertTrue(Files.exists(old));
    clock.advance(Duration.ofDays(7).plusMinutes(1));
    enforcer.check();
    assertFalse(exists("/m/old.csv"), "7 days after it was loaded");
    assertFalse(Files.exists(old));
  }
}
