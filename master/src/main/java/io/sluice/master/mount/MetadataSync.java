package io.sluice.master.mount;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.journal.Journal;
import io.sluice.master.namespace.ApplyResults;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.master.namespace.UfsSyncOp;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.UfsChild;
import io.sluice.master.proto.UfsSyncEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.NamespaceStore;
import io.sluice.ufs.UfsListing;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache mode metadata (DESIGN §4), on the leader, before an operation reads or changes a path under a mount: each
 * name along the path whose metadata is older than the mount's sync interval is checked against the UFS, and a
 * directory about to be listed is listed from the UFS. What differs is proposed as {@link UfsSyncEntry}s, applied
 * like any mutation, so every master holds the same result and apply never calls the UFS.
 *
 * <p>When the UFS cannot be reached the namespace is served as it is (cached data keeps working through an
 * outage); only a name Sluice has never seen fails, with UFS_ERROR, and so does a directory this leader has never
 * listed to the end (a listing cut short by an outage is never taken for the directory's content).
 *
 * <p>A directory listing is held in memory while it is compared (names and statuses of one directory); the
 * proposals are cut into entries of {@value #CHANGES_PER_ENTRY} changes.
 */
public final class MetadataSync {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataSync.class);
  static final int CHANGES_PER_ENTRY = 1000;
  private static final int LIST_PAGE = 1000;
  private static final long PROPOSE_TIMEOUT_MS = 30_000;

  private final LeaderContext ctx;
  private final Journal journal;
  private final UfsConnectors connectors;
  private final Consumer<List<Long>> removedBlocks;
  private final SyncTracker tracker = new SyncTracker(100_000);
  private final Map<Long, CompletableFuture<Void>> listingsInFlight = new ConcurrentHashMap<>();

  /** @param removedBlocks takes the blocks of replaced or vanished files, for the workers to drop */
  public MetadataSync(LeaderContext ctx, Journal journal, UfsConnectors connectors,
      Consumer<List<Long>> removedBlocks) {
    this.ctx = ctx;
    this.journal = journal;
    this.connectors = connectors;
    this.removedBlocks = removedBlocks;
  }

  /**
   * Brings every name of {@code path} that lies under a mount up to date with the UFS, and with
   * {@code listing} also the children of {@code path} itself. Returns at once for paths outside mounts.
   */
  public void sync(String path, boolean listing) throws RpcException {
    sync(path, listing, false);
  }

  /** As {@link #sync(String, boolean)}; with {@code refresh} the last name is checked whatever its age. */
  public void sync(String path, boolean listing, boolean refresh) throws RpcException {
    NamespacePath p = NamespacePath.parse(path);
    NamespaceReader reader = ctx.store().reader();
    Optional<MountInfo> covering = MountTable.covering(reader, p);
    // The mount point's inode id is the mount id: the walk starts there, paths outside mounts cost no walk.
    Optional<InodeRecord> point = covering.flatMap(m -> reader.inode(m.getMountId()));
    if (point.isEmpty()) {
      return;
    }
    MountInfo mount = covering.get();
    InodeRecord cur = point.get();
    for (int i = NamespacePath.parse(mount.getPath()).depth(); i < p.depth(); i++) {
      if (cur.getType() != FileType.DIRECTORY) {
        return;  // the operation itself reports NOT_DIRECTORY
      }
      String name = p.names().get(i);
      syncEntry(mount, cur, NamespacePath.parse(p.prefix(i)), name, refresh && i == p.depth() - 1);
      Optional<InodeRecord> next = UfsSyncOp.child(reader, cur.getId(), name);
      if (next.isEmpty()) {
        return;
      }
      cur = next.get();
    }
    if (listing && cur.getType() == FileType.DIRECTORY) {
      syncListing(mount, cur, p);
    }
  }

  /** Checks one name of directory {@code dir} against the UFS. */
  private void syncEntry(MountInfo mount, InodeRecord dir, NamespacePath dirPath, String name, boolean refresh)
      throws RpcException {
    long now = ctx.clock().millis();
    long interval = mount.getSyncIntervalMs();
    Optional<InodeRecord> existing = UfsSyncOp.child(ctx.store().reader(), dir.getId(), name);
    boolean fresh = tracker.listingFresh(dir.getId(), interval, now)
        || tracker.entryFresh(dir.getId(), name, interval, now) || (interval < 0 && existing.isPresent());
    // refresh: a reader found the file changed in the UFS, so its metadata is known to be stale whatever its age.
    if (fresh && !refresh) {
      return;
    }
    NamespacePath path;
    try {
      path = dirPath.child(name);
    } catch (RpcException e) {
      return;  // not a name the namespace can hold: the operation reports it
    }
    Optional<UfsStatus> status;
    try {
      status = connectors.get(mount).getStatus(ufsPath(mount, path));
    } catch (IOException e) {
      if (existing.isPresent()) {
        LOG.warn("{}: UFS unreachable, serving cached metadata: {}", path, e.toString());
        return;
      }
      throw UfsConnectors.error(path.toString(), URI.create(mount.getUfsUri()), e);
    }
    UfsSyncEntry.Builder e = entry(mount, dir, dirPath, now);
    if (status.isPresent()) {
      UfsChild c = child(status.get());
      if (existing.isEmpty() || (!UfsSyncOp.matches(existing.get(), c) && UfsSyncOp.replaceable(existing.get()))) {
        e.addChildren(c.toBuilder().setId(ctx.ids().allocate(1)));
      }
    } else if (existing.isPresent() && UfsSyncOp.replaceable(existing.get())) {
      e.addRemoved(name);
    }
    if (e.getChildrenCount() + e.getRemovedCount() > 0) {
      propose(e.build());
    }
    tracker.checked(dir.getId(), name, now);
  }

  /** Lists directory {@code dir} from the UFS once per interval; concurrent callers share one listing. */
  private void syncListing(MountInfo mount, InodeRecord dir, NamespacePath dirPath) throws RpcException {
    long now = ctx.clock().millis();
    if (tracker.listingFresh(dir.getId(), mount.getSyncIntervalMs(), now)) {
      return;
    }
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = listingsInFlight.putIfAbsent(dir.getId(), mine);
    if (running != null) {
      await(running, dirPath);
      return;
    }
    try {
      // A failed listing is not recorded: the next access lists again rather than take the old (or, for a first
      // listing, missing) content for fresh.
      if (list(mount, dir, dirPath, now)) {
        tracker.listed(dir.getId(), now);
      }
      mine.complete(null);
    } catch (RpcException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      listingsInFlight.remove(dir.getId(), mine);
    }
  }

  /**
   * Lists {@code dir} from the UFS and proposes what differs. Returns false when the UFS could not be listed to the
   * end and this leader holds an earlier complete listing, which is then served as it is; without one (a first
   * listing) fails with UFS_ERROR, since what the namespace holds of the directory (names looked up one at a time,
   * nothing at all) is not its content. A listing cut short proposes nothing: no partial listing is recorded.
   */
  private boolean list(MountInfo mount, InodeRecord dir, NamespacePath dirPath, long now) throws RpcException {
    Map<String, UfsStatus> inUfs = new TreeMap<>();
    try {
      UnderFileSystem ufs = connectors.get(mount);
      UfsPath at = ufsPath(mount, dirPath);
      String cursor = "";
      do {
        UfsListing page = ufs.list(at, cursor, LIST_PAGE);
        for (UfsStatus s : page.entries()) {
          inUfs.put(s.name(), s);
        }
        cursor = page.next();
      } while (!cursor.isEmpty());
    } catch (IOException e) {
      if (!tracker.everListed(dir.getId())) {
        throw UfsConnectors.error(dirPath.toString(), URI.create(mount.getUfsUri()), e);
      }
      LOG.warn("{}: UFS listing failed, serving the cached listing: {}", dirPath, e.toString());
      return false;
    }
    NamespaceReader reader = ctx.store().reader();
    List<UfsChild> changed = new ArrayList<>();
    for (UfsStatus s : inUfs.values()) {
      try {
        dirPath.child(s.name());
      } catch (RpcException invalid) {
        LOG.debug("{}: skipping UFS entry {}: {}", dirPath, s.name(), invalid.getMessage());
        continue;
      }
      UfsChild c = child(s);
      Optional<InodeRecord> existing = UfsSyncOp.child(reader, dir.getId(), s.name());
      if (existing.isEmpty() || (!UfsSyncOp.matches(existing.get(), c) && UfsSyncOp.replaceable(existing.get()))) {
        changed.add(c);
      }
    }
    List<String> removed = new ArrayList<>();
    String after = "";
    List<NamespaceReader.Child> page;
    do {
      page = reader.children(dir.getId(), after, LIST_PAGE);
      for (NamespaceReader.Child c : page) {
        after = c.name();
        if (!inUfs.containsKey(c.name())) {
          reader.inode(c.id()).filter(UfsSyncOp::replaceable).ifPresent(i -> removed.add(c.name()));
        }
      }
    } while (page.size() == LIST_PAGE);
    for (int from = 0; from < Math.max(changed.size(), removed.size()); from += CHANGES_PER_ENTRY) {
      UfsSyncEntry.Builder e = entry(mount, dir, dirPath, now);
      for (UfsChild c : changed.subList(Math.min(from, changed.size()),
          Math.min(from + CHANGES_PER_ENTRY, changed.size()))) {
        e.addChildren(c.toBuilder().setId(ctx.ids().allocate(1)));
      }
      e.addAllRemoved(removed.subList(Math.min(from, removed.size()),
          Math.min(from + CHANGES_PER_ENTRY, removed.size())));
      propose(e.build());
    }
    return true;
  }

  private UfsSyncEntry.Builder entry(MountInfo mount, InodeRecord dir, NamespacePath dirPath, long now) {
    return UfsSyncEntry.newBuilder().setDirPath(dirPath.toString()).setDirId(dir.getId())
        .setMountId(mount.getMountId()).setTimeMs(now).setBlockSize(ctx.defaultBlockSize())
        .setOwner(dir.getOwner()).setGroup(dir.getGroup());
  }

  private void propose(UfsSyncEntry e) throws RpcException {
    ApplyResult r = await(journal.propose(JournalEntry.newBuilder().setUfsSync(e).build()),
        NamespacePath.parse(e.getDirPath()));
    RpcException failed = ApplyResults.toException(r);
    if (failed != null) {
      throw failed;
    }
    if (r.getRemovedBlockIdsCount() > 0) {
      removedBlocks.accept(r.getRemovedBlockIdsList());
    }
  }

  private static <T> T await(CompletableFuture<T> f, NamespacePath path) throws RpcException {
    try {
      return f.get(PROPOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RpcException r) {
        throw r;
      }
      throw new RpcException(Status.INTERNAL, path + ": syncing with the UFS: " + e.getCause());
    } catch (TimeoutException e) {
      throw new RpcException(Status.UNAVAILABLE, path + ": syncing with the UFS timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(Status.UNAVAILABLE, path + ": interrupted while syncing with the UFS");
    }
  }

  private static UfsChild child(UfsStatus s) {
    return UfsChild.newBuilder().setName(s.name()).setDirectory(s.isDirectory()).setLength(s.length())
        .setMtimeMs(s.mtimeMs()).setFingerprint(s.fingerprint()).build();
  }

  /** The UFS path of namespace path {@code p} under {@code mount}. */
  static UfsPath ufsPath(MountInfo mount, NamespacePath p) throws RpcException {
    String rel = p.toString().substring(mount.getPath().length());
    try {
      return UfsPath.parse(rel.startsWith("/") ? rel.substring(1) : rel);
    } catch (IOException e) {
      throw new RpcException(Status.INVALID_ARGUMENT, p + ": not a valid UFS path: " + e.getMessage());
    }
  }
}
