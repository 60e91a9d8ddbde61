package io.sluice.worker.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
 * hold one for as long as they have the file open), no lease that ended with its holder still reading
 * ({@link ReadLease#closeDetached}) and no reference to its kept mapping ({@link MappedBlock}) but the store's;
 * otherwise the file is unlinked, so an open descriptor keeps the old bytes. An aborted temp block is pooled unless
 * a reader was opened on it. Readers always go by the tracked length, never the file's size; commit cuts a reused
 * file to the block's length.
 *
 * <p>Failures: an I/O error in a directory (or a full disk, which means its capacity was set wrong) marks it
 * failed for the rest of the process: its blocks are reported removed and the other directories keep serving.
 *
 * <p>Design: one lock guards all accounting, placement and the block map. Its critical sections are map updates
 * plus at most a rename, a few unlinks, or mapping or unmapping one block file, which are metadata operations; data
 * is written and read outside it.
 * Listeners are told after the lock is released. Choosing victims sorts the evictable blocks under the lock
 * (n log n for n blocks, about 10^5 on a big worker, and rare thanks to the watermarks); a policy that keeps its
 * own order could replace the sort if that ever shows in a profile.
 *
 * <p>This class coordinates; each job is a class of this package: {@link Tiers} (directories and placement),
 * {@link BlockTable} (the block map), {@link PinnedBlocks} (pins and the start-up hold), {@link EvictionPlanner}
 * (which blocks may go, and which should), {@link BlockRemover} (evicting, pooling or unlinking files, failing
 * directories), {@link StartupScan}, {@link BlockCommitter} (a temp block's commit or abort), {@link BlockIntegrity}
 * (checksums and corruption), {@link PoolReservations} (the MEM pre-toucher's room) and {@link BlockMappings} (which
 * MEM blocks are kept mapped for transfer mode mapped). None has a lock of its own:
 * this store's monitor guards them all. The last three take it themselves, as they do I/O outside it; the others
 * are only called with it held.
 */
public final class BlockStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlockStore.class);

  private final Tiers tiers;
  private final PinnedBlocks pins = new PinnedBlocks();
  private final BlockTable table;
  private final EvictionPlanner planner;
  private final BlockRemover remover;
  private final BlockIntegrity integrity;
  private final PoolReservations reservations;
  private final BlockCommitter committer;
  private final BlockMappings mappings = new BlockMappings(this);
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
    this.tiers = new Tiers(tiers);
    this.table = new BlockTable(policy, pins);
    this.planner = new EvictionPlanner(this.tiers, table, pins, new VictimSelector(policy, watermarks));
    this.remover = new BlockRemover(this.tiers, table, planner, mappings);
    this.committer = new BlockCommitter(this, this.tiers, table, pins, remover, sync);
    this.integrity = new BlockIntegrity(this, table, remover, sync);
    this.reservations = new PoolReservations(this, this.tiers, tmpNames);
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
      new StartupScan(tiers, table, pins, remover).run(ignored);
      if (tiers.allFailed()) {
        throw new IOException("no usable block directory in " + planner.describe());
      }
      for (Tier t : tiers.fastestFirst()) {
        remover.evictToWatermark(t, Long.MIN_VALUE, ignored);
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
          if (table.contains(blockId)) {
            throw new RpcException(Status.ALREADY_EXISTS, "block " + blockId + " already exists");
          }
          dir = reserve(blockId, maxLength, removed);
          tmp = dir.tempPath(blockId, tmpNames.incrementAndGet());
          try {
            reused = dir.takePooled(tmp, maxLength);
          } catch (IOException e) {
            dir.release(maxLength);
            remover.failDir(dir, e, removed);
            continue;
          }
        }
        try {
          return new TempBlock(committer, blockId, dir, tmp, maxLength, reused);
        } catch (IOException e) {
          synchronized (this) {
            dir.release(maxLength);
            remover.failDir(dir, e, removed);
          }
        }
      }
    } finally {
      removed.forEach(listener::removed);
    }
  }

  private StorageDir reserve(long blockId, long size, List<Long> removed) throws RpcException {
    while (true) {
      StorageDir dir = tiers.roomiest(size);
      if (dir == null) {
        dir = remover.evictFor(size, removed);
      }
      if (dir == null) {
        // Nothing evictable makes room: the rest is pinned (kept files), leased (being read) or reserved (being
        // written). Failing here, rather than dropping a kept block, is what keeps Sluice-native data safe.
        throw new RpcException(Status.NO_SPACE, "no room for block " + blockId + " of " + size + " bytes: no "
            + "evictable block left, the rest is pinned, being read or being written (" + planner.describe() + ")");
      }
      if (!dir.failed()) { // evicting can hit an I/O error that fails the directory: look again
        dir.reserve(size);
        return dir;
      }
    }
  }

  /**
   * Keeps every block {@link #open()} finds from eviction until {@link #releaseEviction()}: pins are soft state that
   * the master sends when the worker registers, so a worker that just started cannot tell the only copies of
   * Sluice-native data among its blocks from blocks it may drop (issue 4: at start, a tier over its high watermark
   * was evicted before any pin was known). Blocks written since are pinned or not as their writes say. Call before
   * {@link #open()}; a store never held evicts what it found at once.
   */
  public synchronized void holdEviction() {
    pins.holdAtOpen();
  }

  /**
   * Ends {@link #holdEviction()} (the master's pins arrived: call after pinning them) and evicts any tier left over its
   * high watermark.
   */
  public void releaseEviction() {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      if (!pins.releaseHold()) {
        return;
      }
      for (Tier t : tiers.fastestFirst()) {
        remover.evictToWatermark(t, Long.MIN_VALUE, removed);
      }
    }
    removed.forEach(listener::removed);
  }

  /** The listener to tell, once the lock is released, of blocks committed and removed. */
  BlockListener listener() {
    return listener;
  }

  /**
   * Marks directories whose {@code blocks/} or {@code tmp/} vanished or was replaced as failed; called before each
   * heartbeat so the master hears of their blocks' loss at once instead of at the next read.
   */
  public void checkDirs() {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      for (Tier t : tiers.fastestFirst()) {
        for (StorageDir d : t.dirs) {
          if (!d.failed() && !d.looksHealthy()) {
            remover.failDir(d, new IOException("blocks/ or tmp/ is gone or not a directory"), removed);
          }
        }
      }
    }
    removed.forEach(listener::removed);
  }

  /**
   * Opens a committed block for reading: counts as an access for eviction and keeps it from being evicted until
   * the lease is closed.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public synchronized ReadLease openRead(long blockId) throws RpcException {
    StoredBlock b = table.find(blockId);
    b.leases++;
    table.accessed(blockId);
    return new ReadLease(this, b);
  }

  /**
   * The leased block's kept mapping, for a read in transfer mode {@code mapped} to send from, with a reference the
   * reader gives back ({@link MappedBlock#release}) before it closes the lease; or null: read the file
   * ({@link BlockMappings} says which blocks are mapped, and when).
   */
  public synchronized MappedBlock mapped(ReadLease lease) {
    StoredBlock b = lease.block();
    return table.get(b.id) == b ? mappings.forRead(b) : null;
  }

  /** Bytes of the blocks kept mapped for reads in transfer mode {@code mapped}. */
  public synchronized long mappedBytes() {
    return mappings.mappedBytes();
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
    if (!table.contains(blockId)) {
      return false;
    }
    pins.pin(blockId);
    return true;
  }

  /**
   * Takes the master's answer to a registration as the pins of the blocks that registration reported: each is pinned
   * if and only if {@code keep} names it. So a pin an earlier leader never took back (an unpin lost in a failover:
   * the new leader has every worker register) ends here, while a block committed since the report keeps what its
   * writer gave it (a native block's writer pins it at commit).
   */
  public synchronized void repin(Collection<Long> reported, Collection<Long> keep) {
    Set<Long> kept = new HashSet<>(keep);
    for (long b : reported) {
      if (kept.contains(b) && table.contains(b)) {
        pins.pin(b);
      } else {
        pins.unpin(b);
      }
    }
  }

  /** Lets a block be evicted again; no-op for a block not pinned. */
  public synchronized void unpin(long blockId) {
    pins.unpin(blockId);
  }

  /** Whether {@code blockId} is here and pinned. */
  public synchronized boolean pinned(long blockId) {
    return pins.pinned(blockId);
  }

  /** How many of the blocks held are pinned. */
  public synchronized int pinnedBlocks() {
    return pins.size();
  }

  /**
   * The committed block's file. A reader should hold a {@link #openRead lease} instead, so the file stays.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public synchronized Path path(long blockId) throws RpcException {
    return table.find(blockId).path;
  }

  /**
   * The committed block's length.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public synchronized long length(long blockId) throws RpcException {
    return table.find(blockId).length;
  }

  /**
   * Deletes a committed block at once, leased or pinned (the master deletes blocks of deleted or rewritten files
   * only); returns whether it was here. A failed unlink fails the block's directory.
   */
  public boolean delete(long blockId) {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      StoredBlock b = table.get(blockId);
      if (b == null) {
        return false;
      }
      remover.unlink(b, removed);
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
    PoolWarmer w = new PoolWarmer(reservations, bytes, fileSize);
    w.start();
    return w;
  }

  /**
   * The CRC32C of each chunk of the leased block: kept since commit, or read from its sums file on first use (a
   * block found at start). A block whose sums file is missing or short (written before checksums, or cut by a
   * crash without sync) is summed from its file as it is now. Sums stored in another grid (an older worker's chunk
   * size, see {@link BlockSums}) are checked against the file and stored anew in today's grid, in one pass; a block
   * that does not match them is corrupt, removed as {@link #removeIfCorrupt} would. Reads a file when not yet
   * loaded, the whole block when not in today's grid: not for an event loop in a hurry, but rare (once per block).
   *
   * @throws RpcException NOT_FOUND when the block was found corrupt and removed; IO_ERROR when neither the sums nor
   *     the block file can be read
   */
  public int[] checksums(ReadLease lease) throws RpcException {
    List<Long> removed = new ArrayList<>();
    try {
      return integrity.checksums(lease, removed);
    } finally {
      removed.forEach(listener::removed);
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
    List<Long> removed = new ArrayList<>();
    boolean corrupt = integrity.removeIfCorrupt(blockId, removed);
    removed.forEach(listener::removed);
    return corrupt;
  }

  /** Blocks found corrupt and removed since start. */
  public synchronized long corruptBlocks() {
    return integrity.corruptBlocks();
  }

  /** Whether this worker holds committed block {@code blockId}. */
  public synchronized boolean contains(long blockId) {
    return table.contains(blockId);
  }

  /** A snapshot of the committed blocks' ids. */
  public synchronized long[] blockIds() {
    return table.ids();
  }

  /** Bytes the healthy directories of all tiers may hold. */
  public synchronized long capacity() {
    return tiers.capacity();
  }

  /** Bytes of committed blocks. */
  public synchronized long used() {
    return tiers.used();
  }

  /**
   * One snapshot per tier, fastest first: capacity, used, reserved, pooled, blocks, evictions, failed directories.
   */
  public synchronized List<TierStats> tierStats() {
    return tiers.stats();
  }
}
