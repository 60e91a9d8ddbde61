package io.sluice.worker.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's committed blocks across its tiers (MEM, SSD, HDD, fastest first), each of one or more directories.
 * A block becomes visible only by an atomic rename from a temp file and is never modified after (DESIGN §3), so
 * readers need no locks on the data. Thread-safe.
 *
 * <p>Space: a write reserves the length its writer declares in the fastest tier with room (in that tier, the
 * directory with the most room), so concurrent writers can never overfill a directory; commit trims the
 * reservation to the real length, abort gives it back. When no directory has room, blocks are evicted in the
 * policy's order until one does, and the block goes wherever room appeared; only when pinned, leased and reserved
 * bytes leave no room does the write fail with NO_SPACE. After each commit, a tier over its high watermark is
 * evicted down to its low watermark, so writes rarely wait for eviction; but not while a slower tier is under its
 * own: new blocks spill down there instead, and nothing is dropped while the worker still has room.
 *
 * <p>Reuse (MEM only, DESIGN §10): a MEM block that goes (evicted or deleted) while nothing can still read its file
 * is not unlinked but moved to its directory's {@link FilePool}, and the next block in that directory is written
 * over it, so it lands on resident pages instead of faulting fresh ones in. "Nothing can still read it" means no
 * open {@link ReadLease} (every reader in this process, the zero-copy regions in flight, and short-circuit clients
 * hold one for as long as they have the file open) and no lease that ended with its holder still reading
 * ({@link ReadLease#closeDetached}); otherwise the file is unlinked, so an open descriptor keeps the old bytes. An
 * aborted temp block is pooled unless a reader was opened on it. Readers always go by the tracked length, never the
 * file's size; commit cuts a reused file to the block's length.
 *
 * <p>Failures: an I/O error in a directory (or a full disk, which means its capacity was set wrong) marks it
 * failed for the rest of the process: its blocks are reported removed and the other directories keep serving.
 *
 * <p>Design: one lock guards all accounting, placement and the block map. Its critical sections are map updates
 * plus at most a rename or a few unlinks, which are metadata operations; data is written and read outside it.
 * Listeners are told after the lock is released. Choosing victims sorts the evictable blocks under the lock
 * (n log n for n blocks, about 10^5 on a big worker, and rare thanks to the watermarks); a policy that keeps its
 * own order could replace the sort if that ever shows in a profile.
 */
public final class BlockStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlockStore.class);

  private final List<Tier> tiers;
  private final boolean sync;
  private final EvictionPolicy policy;
  private final VictimSelector victims;
  private final Map<Long, StoredBlock> blocks = new HashMap<>();
  private final Set<Long> pinned = new HashSet<>();
  /** Set by {@link #holdEviction()}: {@link #open()} holds what it finds in {@link #heldSinceStart}. */
  private boolean holdAtOpen;
  /** Blocks found at start, kept from eviction until the master's pins are known ({@link #releaseEviction()}). */
  private final Set<Long> heldSinceStart = new HashSet<>();
  private long corruptBlocks;
  private final AtomicLong tmpNames = new AtomicLong();
  private volatile BlockListener listener = new BlockListener() {
    @Override
    public void committed(long blockId) {}

    @Override
    public void removed(long blockId) {}
  };

  /**
   * @param tiers the tiers, any order (they are used fastest first)
   * @param sync fsync each block before it is committed
   * @param watermarks when a tier's eviction starts and stops
   * @param policy the eviction order; used only under this store's lock
   */
  public BlockStore(List<TierSpec> tiers, boolean sync, Watermarks watermarks, EvictionPolicy policy) {
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("a block store needs at least one tier");
    }
    this.tiers = tiers.stream().sorted(java.util.Comparator.comparing(TierSpec::alias)).map(Tier::new).toList();
    this.sync = sync;
    this.policy = policy;
    this.victims = new VictimSelector(policy, watermarks);
  }

  /** One HDD tier of one directory, with the default watermarks and LRU. */
  public BlockStore(Path dir, long capacity, boolean sync) {
    this(List.of(new TierSpec(TierAlias.HDD, List.of(new TierSpec.DirSpec(dir, capacity)))), sync,
        Watermarks.DEFAULT, new LruPolicy(Clock.systemUTC()));
  }

  /**
   * Scans every directory: drops unfinished writes, verifies and loads committed blocks (a block found in two
   * directories is kept in the faster one), keeps a MEM directory's pooled files as far as they fit beside its
   * blocks (deleting the rest, and any pool of a disk directory), then evicts any tier left over its high
   * watermark (its capacity may have been lowered), unless eviction is held ({@link #holdEviction()}). A directory
   * that cannot be opened is marked failed.
   *
   * @throws IOException when no directory can be used
   */
  public void open() throws IOException {
    List<Long> ignored = new ArrayList<>();
    synchronized (this) {
      for (Tier t : tiers) {
        for (StorageDir d : t.dirs) {
          try {
            for (StorageDir.Found f : d.open()) {
              if (blocks.containsKey(f.blockId())) {
                LOG.warn("deleting {}: block {} is also in {}", f.path(), f.blockId(),
                    blocks.get(f.blockId()).path);
                Files.deleteIfExists(f.path());
                Files.deleteIfExists(d.sumsPath(f.blockId(), f.length()));
              } else {
                add(new StoredBlock(f.blockId(), d, f.path(), f.length(), null));
                if (holdAtOpen) {
                  heldSinceStart.add(f.blockId());
                }
              }
            }
            d.fitPool(); // its capacity may have been lowered
          } catch (IOException e) {
            failDir(d, e, ignored);
          }
        }
      }
      if (tiers.stream().allMatch(t -> t.dirs.stream().allMatch(StorageDir::failed))) {
        throw new IOException("no usable block directory in " + describe());
      }
      for (Tier t : tiers) {
        evictToWatermark(t, Long.MIN_VALUE, ignored);
        TierStats s = t.stats();
        LOG.info("tier {}: {} blocks, {} of {} bytes used in {} dirs", s.alias(), s.blocks(), s.used(), s.capacity(),
            s.dirs() - s.failedDirs());
      }
    }
  }

  public void setListener(BlockListener l) {
    this.listener = l;
  }

  /**
   * Starts writing a block, reserving {@code maxLength} bytes (evicting if needed).
   *
   * @throws RpcException ALREADY_EXISTS for a committed id, NO_SPACE when nothing can make room
   */
  public TempBlock create(long blockId, long maxLength) throws RpcException {
    List<Long> removed = new ArrayList<>();
    try {
      // Each failed attempt marks a directory failed, so this ends.
      while (true) {
        StorageDir dir;
        Path tmp;
        boolean reused;
        synchronized (this) {
          if (blocks.containsKey(blockId)) {
            throw new RpcException(Status.ALREADY_EXISTS, "block " + blockId + " already exists");
          }
          dir = reserve(blockId, maxLength, removed);
          tmp = dir.tempPath(blockId, tmpNames.incrementAndGet());
          try {
            reused = dir.takePooled(tmp, maxLength);
          } catch (IOException e) {
            dir.release(maxLength);
            failDir(dir, e, removed);
            continue;
          }
        }
        try {
          return new TempBlock(this, blockId, dir, tmp, maxLength, reused);
        } catch (IOException e) {
          synchronized (this) {
            dir.release(maxLength);
            failDir(dir, e, removed);
          }
        }
      }
    } finally {
      removed.forEach(listener::removed);
    }
  }

  private StorageDir reserve(long blockId, long size, List<Long> removed) throws RpcException {
    while (true) {
      StorageDir dir = roomiest(size);
      if (dir == null) {
        dir = evictFor(size, removed);
      }
      if (dir == null) {
        // Nothing evictable makes room: the rest is pinned (kept files), leased (being read) or reserved (being
        // written). Failing here, rather than dropping a kept block, is what keeps Sluice-native data safe.
        throw new RpcException(Status.NO_SPACE, "no room for block " + blockId + " of " + size + " bytes: no "
            + "evictable block left, the rest is pinned, being read or being written (" + describe() + ")");
      }
      if (!dir.failed()) { // evicting can hit an I/O error that fails the directory: look again
        dir.reserve(size);
        return dir;
      }
    }
  }

  /** The directory with the most room for {@code size} bytes in the fastest tier that has any, or null. */
  private StorageDir roomiest(long size) {
    for (Tier t : tiers) {
      StorageDir best = null;
      for (StorageDir d : t.dirs) {
        if (!d.failed() && d.free() >= size && (best == null || d.free() > best.free())) {
          best = d;
        }
      }
      if (best != null) {
        return best;
      }
    }
    return null;
  }

  private StorageDir evictFor(long size, List<Long> removed) {
    VictimSelector.Plan plan = victims.forSpace(size, evictable(null, Long.MIN_VALUE));
    if (plan == null) {
      return null;
    }
    plan.victims().forEach(v -> evict(v, removed));
    return plan.dir();
  }

  /**
   * Evicts blocks of {@code t}, coldest first, from over its high watermark down to its low one; unless a slower tier
   * is still under its own (and {@code t} within its capacity): new blocks then spill down there, and no block is
   * dropped from this worker for headroom the writes do not need.
   */
  private void evictToWatermark(Tier t, long keep, List<Long> removed) {
    if (t.occupied() <= t.capacity() && slowerTierHasRoom(t)) {
      return;
    }
    for (StoredBlock b : victims.forWatermark(t.occupied(), t.capacity(), evictable(t, keep))) {
      if (blocks.get(b.id) == b) { // an I/O error while evicting may have dropped its whole directory
        evict(b, removed);
      }
    }
  }

  /** Whether a tier slower than {@code t} is under its high watermark. */
  private boolean slowerTierHasRoom(Tier t) {
    boolean slower = false;
    for (Tier s : tiers) { // fastest first
      if (slower && !victims.overHighWatermark(s.occupied(), s.capacity())) {
        return true;
      }
      slower |= s == t;
    }
    return false;
  }

  /**
   * Keeps every block {@link #open()} finds from eviction until {@link #releaseEviction()}: pins are soft state that
   * the master sends when the worker registers, so a worker that just started cannot tell the only copies of
   * Sluice-native data among its blocks from blocks it may drop (issue 4: at start, a tier over its high watermark
   * was evicted before any pin was known). Blocks written since are pinned or not as their writes say. Call before
   * {@link #open()}; a store never held evicts what it found at once.
   */
  public synchronized void holdEviction() {
    holdAtOpen = true;
  }

  /**
   * Ends {@link #holdEviction()} (the master's pins arrived: call after pinning them) and evicts any tier left over its
   * high watermark.
   */
  public void releaseEviction() {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      if (!holdAtOpen) {
        return;
      }
      holdAtOpen = false;
      heldSinceStart.clear();
      for (Tier t : tiers) {
        evictToWatermark(t, Long.MIN_VALUE, removed);
      }
    }
    removed.forEach(listener::removed);
  }

  /**
   * Committed blocks that may be evicted: not pinned, not leased, not {@code keep}, not held since start, in {@code t}
   * (null: any).
   */
  private List<StoredBlock> evictable(Tier t, long keep) {
    List<StoredBlock> out = new ArrayList<>();
    for (StoredBlock b : blocks.values()) {
      if (b.leases == 0 && b.id != keep && !pinned.contains(b.id) && !heldSinceStart.contains(b.id)
          && (t == null || b.dir.tier() == t.alias)) {
        out.add(b);
      }
    }
    return out;
  }

  private void evict(StoredBlock b, List<Long> removed) {
    if (unlink(b, removed)) {
      tier(b.dir).evictions++;
      LOG.debug("evicted block {} ({} bytes) from {}", b.id, b.length, b.dir.root());
    }
  }

  /**
   * Deletes (or pools) a block's file and drops it; returns whether it was dropped alone. A file already gone from a
   * healthy directory was deleted by hand: only that block is lost. Any other error fails the whole directory.
   */
  private boolean unlink(StoredBlock b, List<Long> removed) {
    if (blocks.get(b.id) != b) {
      return false; // dropped meanwhile with its failed directory
    }
    try {
      if (!pool(b)) {
        Files.delete(b.path);
      }
      deleteSums(b);
    } catch (NoSuchFileException e) {
      if (!b.dir.looksHealthy()) {
        failDir(b.dir, e, removed);
        return false;
      }
    } catch (IOException e) {
      failDir(b.dir, e, removed);
      return false;
    }
    drop(b, removed);
    return true;
  }

  /**
   * Moves {@code b}'s file to its directory's pool if nothing can still read it; false when it must be unlinked
   * instead (a disk tier, a reader, or the move failed: unlinking is always right).
   */
  private boolean pool(StoredBlock b) {
    if (!b.dir.pooling() || b.leases > 0 || b.detachedReader) {
      return false;
    }
    try {
      b.dir.pool(b.path, b.length);
      return true;
    } catch (IOException e) {
      LOG.debug("cannot pool {}, deleting it: {}", b.path, e.toString());
      return false;
    }
  }

  /**
   * Makes a finished temp block visible; called by {@link TempBlock#commit()}. With {@code lease}, the block is
   * leased in the same critical section, so no eviction can slip in between commit and lease, and the lease is
   * returned (else null). With {@code pin} it is pinned in that section too.
   */
  ReadLease commit(TempBlock block, long length, boolean lease, boolean pin) throws RpcException {
    List<Long> removed = new ArrayList<>();
    boolean committed = false;
    ReadLease held = null;
    StorageDir dir = block.dir();
    int[] sums = block.finishChecksums();
    Path sumsTmp = Path.of(block.tmpPath() + ".sums");
    try {
      IOException syncError = null;
      try {
        if (block.reused()) {
          block.channel().truncate(length); // drops the old tail: the file must be exactly the block
        }
        if (sync) {
          block.channel().force(true);
        }
        BlockSums.write(sumsTmp, sums, sync);
      } catch (IOException e) {
        syncError = e;
      }
      synchronized (this) {
        dir.release(block.maxLength());
        if (syncError != null) {
          failDir(dir, syncError, removed);
          throw ioError(block.blockId(), syncError);
        }
        if (blocks.containsKey(block.blockId())) {
          throw new RpcException(Status.ALREADY_EXISTS, "block " + block.blockId() + " already exists");
        }
        if (dir.failed()) {
          throw new RpcException(Status.IO_ERROR, "cannot commit block " + block.blockId() + ": directory "
              + dir.root() + " failed");
        }
        Path target = dir.blockPath(block.blockId(), length);
        try {
          // Sums first: a block file found at start then always has its sums (a crash leaves at most orphan sums).
          Files.move(sumsTmp, dir.sumsPath(block.blockId(), length), StandardCopyOption.ATOMIC_MOVE);
          Files.move(block.tmpPath(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          // Sums already moved would name a block that never came: leave none behind for the next start to find.
          deleteQuietly(dir.sumsPath(block.blockId(), length));
          failDir(dir, e, removed);
          throw ioError(block.blockId(), e);
        }
        StoredBlock b = new StoredBlock(block.blockId(), dir, target, length, sums);
        add(b);
        committed = true;
        if (lease) {
          b.leases++;
          held = new ReadLease(this, b);
        }
        if (pin) {
          pinned.add(b.id);
        }
        // The block just written is the one a reader most likely wants next: never its own victim.
        evictToWatermark(tier(dir), block.blockId(), removed);
      }
    } finally {
      if (!committed) {
        deleteQuietly(sumsTmp);
      }
      if (committed) {
        listener.committed(block.blockId());
      }
      removed.forEach(listener::removed);
    }
    return held;
  }

  private static RpcException ioError(long blockId, IOException e) {
    return new RpcException(Status.IO_ERROR, "cannot commit block " + blockId + ": " + e, e);
  }

  /**
   * Gives back the reservation of an abandoned temp block and pools its file of {@code size} bytes when its directory
   * pools (-1: never, a reader may have it open); called by {@link TempBlock#abort()} once the file is closed.
   *
   * @return whether the file was pooled; else the caller deletes it
   */
  synchronized boolean aborted(TempBlock block, long size) {
    StorageDir dir = block.dir();
    dir.release(block.maxLength());
    // An empty file has no pages to keep; a failed directory is never written again.
    if (size <= 0 || !dir.pooling() || dir.failed()) {
      return false;
    }
    try {
      dir.pool(block.tmpPath(), size); // at most maxLength bytes, just released: the total cannot grow
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A write to {@code block}'s temp file failed: its directory is failed. */
  void writeFailed(TempBlock block, IOException cause) {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      failDir(block.dir(), cause, removed);
    }
    removed.forEach(listener::removed);
  }

  /**
   * Marks directories whose {@code blocks/} or {@code tmp/} vanished or was replaced as failed; called before each
   * heartbeat so the master hears of their blocks' loss at once instead of at the next read.
   */
  public void checkDirs() {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      for (Tier t : tiers) {
        for (StorageDir d : t.dirs) {
          if (!d.failed() && !d.looksHealthy()) {
            failDir(d, new IOException("blocks/ or tmp/ is gone or not a directory"), removed);
          }
        }
      }
    }
    removed.forEach(listener::removed);
  }

  private void failDir(StorageDir dir, IOException cause, List<Long> removed) {
    if (dir.failed()) {
      return;
    }
    List<StoredBlock> lost = blocks.values().stream().filter(b -> b.dir == dir).toList();
    for (StoredBlock b : lost) {
      drop(b, removed);
    }
    dir.markFailed();
    LOG.warn("{} directory {} failed ({}); dropped its {} blocks, serving from the other directories", dir.tier(),
        dir.root(), cause.toString(), lost.size());
  }

  private void add(StoredBlock b) {
    blocks.put(b.id, b);
    b.dir.added(b.length);
    policy.added(b.id);
  }

  private void drop(StoredBlock b, List<Long> removed) {
    blocks.remove(b.id);
    pinned.remove(b.id); // a pin is for the block held: one cached again later is pinned again by the master
    heldSinceStart.remove(b.id);
    b.dir.removed(b.length);
    policy.removed(b.id);
    removed.add(b.id);
  }

  private Tier tier(StorageDir dir) {
    for (Tier t : tiers) {
      if (t.alias == dir.tier()) {
        return t;
      }
    }
    throw new IllegalStateException("no tier " + dir.tier());
  }

  /**
   * Opens a committed block for reading: counts as an access for eviction and keeps it from being evicted until
   * the lease is closed.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public synchronized ReadLease openRead(long blockId) throws RpcException {
    StoredBlock b = find(blockId);
    b.leases++;
    policy.accessed(blockId);
    return new ReadLease(this, b);
  }

  /** Ends a lease; called by {@link ReadLease#close()} and {@link ReadLease#closeDetached()}. */
  synchronized void release(ReadLease lease, boolean detached) {
    if (lease.markClosed()) {
      lease.block().leases--;
      if (detached) {
        lease.block().detachedReader = true;
      }
    }
  }

  /**
   * Pins a committed block: it is never evicted until unpinned (a write that finds only pinned, leased and reserved
   * bytes fails with NO_SPACE instead), though an explicit {@link #delete} still removes it. The master pins the
   * blocks of Sluice-native and pinned files (PIN_BLOCKS); a native block's writer pins it at commit
   * ({@link TempBlock#commitPinned}). Pins live in memory only: the master sends them again at each registration.
   *
   * @return false when the block is not here (nothing is pinned: the master pins a block when it hears of it)
   */
  public synchronized boolean pin(long blockId) {
    if (!blocks.containsKey(blockId)) {
      return false;
    }
    pinned.add(blockId);
    return true;
  }

  /** Lets a block be evicted again; no-op for a block not pinned. */
  public synchronized void unpin(long blockId) {
    pinned.remove(blockId);
  }

  /** Whether {@code blockId} is here and pinned. */
  public synchronized boolean pinned(long blockId) {
    return pinned.contains(blockId);
  }

  /** How many of the blocks held are pinned. */
  public synchronized int pinnedBlocks() {
    return pinned.size();
  }

  private StoredBlock find(long blockId) throws RpcException {
    StoredBlock b = blocks.get(blockId);
    if (b == null) {
      throw new RpcException(Status.NOT_FOUND, "block " + blockId + " is not on this worker");
    }
    return b;
  }

  /**
   * The committed block's file. A reader should hold a {@link #openRead lease} instead, so the file stays.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public synchronized Path path(long blockId) throws RpcException {
    return find(blockId).path;
  }

  /**
   * The committed block's length.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public synchronized long length(long blockId) throws RpcException {
    return find(blockId).length;
  }

  /**
   * Deletes a committed block at once, leased or pinned (the master deletes blocks of deleted or rewritten files
   * only); returns whether it was here. A failed unlink fails the block's directory.
   */
  public boolean delete(long blockId) {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      StoredBlock b = blocks.get(blockId);
      if (b == null) {
        return false;
      }
      unlink(b, removed);
    }
    removed.forEach(listener::removed);
    return true;
  }

  /**
   * Starts pre-touching MEM space ({@code sluice.worker.mem.pretouch}): a daemon thread fills each healthy MEM
   * directory's pool with {@code bytes} (capped at its capacity, less what its pool already holds) of zero-written
   * files, so the first blocks land on resident pages. Returns at once; close the result to stop it. Call after
   * {@link #open()}.
   *
   * @param bytes per MEM directory; 0 starts nothing
   */
  public PoolWarmer warmPools(long bytes) {
    return warmPools(bytes, PoolWarmer.FILE_SIZE);
  }

  /** {@link #warmPools(long)} with files of {@code fileSize} bytes (the last of a directory smaller). */
  PoolWarmer warmPools(long bytes, long fileSize) {
    if (bytes < 0 || fileSize <= 0) {
      throw new IllegalArgumentException("pre-touch bytes must be >= 0 and file size > 0: " + bytes + ", " + fileSize);
    }
    PoolWarmer w = new PoolWarmer(this, bytes, fileSize);
    w.start();
    return w;
  }

  synchronized List<StorageDir> poolingDirs() {
    return tiers.stream().flatMap(t -> t.dirs.stream()).filter(d -> d.pooling() && !d.failed()).toList();
  }

  synchronized long pooled(StorageDir d) {
    return d.pooled();
  }

  /**
   * Reserves room in {@code d} for a file the warmer is about to write: up to {@code want} bytes of what is neither
   * committed, reserved nor pooled. Returns the bytes reserved, 0 when there is no such room.
   */
  synchronized long reserveWarm(StorageDir d, long want) {
    long size = d.failed() ? 0 : Math.min(want, d.unpooledFree());
    if (size > 0) {
      d.reserve(size);
    }
    return size;
  }

  Path warmPath(StorageDir d) {
    return d.warmPath(tmpNames.incrementAndGet());
  }

  /** Ends a {@link #reserveWarm} reservation: the file enters the pool if {@code whole}, else it is deleted. */
  void warmed(StorageDir d, Path file, long size, boolean whole) {
    synchronized (this) {
      d.release(size);
      if (whole && !d.failed()) {
        try {
          d.pool(file, size);
          return;
        } catch (IOException e) {
          LOG.debug("cannot pool {}, deleting it: {}", file, e.toString());
        }
      }
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // tmp/ is emptied at the next start.
    }
  }

  /**
   * The CRC32C of each chunk of the leased block: kept since commit, or read from its sums file on first use (a
   * block found at start). A block whose sums file is missing or short (written before checksums, or cut by a
   * crash without sync) is summed from its file as it is now. Reads a file when not yet loaded: not for an event
   * loop in a hurry, but small (4 bytes per 64 KiB).
   *
   * @throws RpcException IO_ERROR when neither the sums nor the block file can be read
   */
  public int[] checksums(ReadLease lease) throws RpcException {
    StoredBlock b = lease.block();
    synchronized (this) {
      if (b.sums != null) {
        return b.sums;
      }
    }
    int[] sums;
    try {
      sums = BlockSums.read(b.dir.sumsPath(b.id, b.length), b.length);
      if (sums == null) {
        LOG.info("block {}: no checksums stored with it, summing {}", b.id, b.path);
        sums = BlockSums.compute(b.path, b.length);
      }
    } catch (IOException e) {
      throw new RpcException(Status.IO_ERROR, "block " + b.id + ": cannot read its checksums: " + e, e);
    }
    synchronized (this) {
      if (b.sums == null) {
        b.sums = sums;
      }
      return b.sums;
    }
  }

  /**
   * Checks block {@code blockId}'s file against its stored checksums (a reader said it found a mismatch: its word
   * is not taken for it). A corrupt block is removed, as if deleted, and counted. Reads the whole file: call it off
   * the event loops.
   *
   * @return whether the block was corrupt (and is now removed)
   * @throws RpcException NOT_FOUND when this worker does not hold it; IO_ERROR when its file cannot be read
   */
  public boolean removeIfCorrupt(long blockId) throws RpcException {
    ReadLease lease = openLease(blockId); // the file stays this block's while it is read
    boolean corrupt;
    try {
      int[] stored = checksums(lease);
      int[] now;
      try {
        now = BlockSums.compute(lease.path(), lease.length());
      } catch (IOException e) {
        throw new RpcException(Status.IO_ERROR, "block " + blockId + ": cannot read " + lease.path() + ": " + e, e);
      }
      corrupt = !Arrays.equals(stored, now);
    } finally {
      lease.close();
    }
    if (!corrupt) {
      return false;
    }
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      StoredBlock b = blocks.get(blockId);
      if (b != lease.block()) {
        return false; // removed (or replaced) meanwhile
      }
      b.detachedReader = true; // never reuse a corrupt file's pages
      unlink(b, removed);
      corruptBlocks++;
    }
    LOG.warn("block {} is corrupt: {} does not match its checksums; removed it", blockId, lease.path());
    removed.forEach(listener::removed);
    return true;
  }

  private synchronized ReadLease openLease(long blockId) throws RpcException {
    StoredBlock b = find(blockId);
    b.leases++;
    return new ReadLease(this, b);
  }

  /** Blocks found corrupt and removed since start. */
  public synchronized long corruptBlocks() {
    return corruptBlocks;
  }

  private static void deleteSums(StoredBlock b) {
    deleteQuietly(b.dir.sumsPath(b.id, b.length));
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", p, e.toString());  // an orphan sums file is dropped at the next start
    }
  }

  /** Whether this worker holds committed block {@code blockId}. */
  public synchronized boolean contains(long blockId) {
    return blocks.containsKey(blockId);
  }

  /** A snapshot of the committed blocks' ids. */
  public synchronized long[] blockIds() {
    return blocks.keySet().stream().mapToLong(Long::longValue).toArray();
  }

  /** Bytes the healthy directories of all tiers may hold. */
  public synchronized long capacity() {
    return tiers.stream().mapToLong(Tier::capacity).sum();
  }

  /** Bytes of committed blocks. */
  public synchronized long used() {
    return tiers.stream().mapToLong(t -> t.stats().used()).sum();
  }

  /**
   * One snapshot per tier, fastest first: capacity, used, reserved, pooled, blocks, evictions, failed directories.
   */
  public synchronized List<TierStats> tierStats() {
    return tiers.stream().map(Tier::stats).toList();
  }

  private String describe() {
    StringBuilder s = new StringBuilder();
    for (Tier t : tiers) {
      TierStats st = t.stats();
      s.append(s.length() == 0 ? "" : ", ").append(st.alias()).append(' ').append(st.used()).append(" used + ")
          .append(st.reserved()).append(" reserved of ").append(st.capacity());
    }
    long pinnedBytes = 0;
    int leased = 0;
    for (StoredBlock b : blocks.values()) {
      pinnedBytes += pinned.contains(b.id) ? b.length : 0;
      leased += b.leases > 0 ? 1 : 0;
    }
    return s.append("; ").append(pinned.size()).append(" blocks pinned (").append(pinnedBytes).append(" bytes), ")
        .append(leased).append(" being read").toString();
  }
}
