package io.sluice.master.store;

import io.sluice.common.proto.FileType;
import io.sluice.master.proto.InodeRecord;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace in RocksDB (DESIGN §3): column families {@code inodes}, {@code edges}, {@code mounts},
 * {@code meta}, {@code requests}/{@code request_times} (retried mutations), {@code jobs}, {@code ttls} (the ids
 * of inodes with a TTL), {@code versions} (block versions, see {@code BlockIds}) and {@code links} (the names of
 * inodes with several, see {@link NamespaceReader#links}); key layout in {@link StoreKeys}. A column family added in
 * a later version is created when an older store is opened, and checkpoints hold every column family. Nothing of
 * the namespace is held on the heap.
 *
 * <p>Writes come only from applying journal entries: {@link #newBatch()}, fill it, {@link #commit}. The commit writes
 * the entry's log term and index in the same atomic batch, so after a crash the store is exactly at some applied
 * index and replaying the log skips what it already holds ({@link #appliedIndex()}). Writes are not fsynced: the
 * Raft log is the durable copy, and whatever RocksDB loses in a crash is replayed from it.
 *
 * <p>Reads are thread-safe and may run while entries are applied; use {@link #snapshot()} for several reads that must
 * agree. One applier thread commits.
 */
public final class NamespaceStore implements Closeable {
  /** The root directory's inode id. 0 means "no inode" (the root's parent). */
  public static final long ROOT_ID = 1;

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceStore.class);

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final WriteOptions writeOptions = new WriteOptions().setSync(false);
  private final ReadOptions readOptions = new ReadOptions();
  /** The open database; replaced whole by {@link #restoreFrom} (a follower installing a snapshot). */
  private volatile Opened opened;
  private final AtomicBoolean open = new AtomicBoolean(true);
  private volatile long appliedTerm;
  private volatile long appliedIndex;
  private volatile long nextInodeId;
  private volatile long inodeCount;

  /** One open RocksDB instance: its column family handles and a reader of its latest state. */
  private record Opened(List<ColumnFamilyHandle> cfHandles, StoreHandles handles, RocksReader latest) {}

  private NamespaceStore(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db,
      List<ColumnFamilyHandle> cfHandles) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.opened = wrap(db, cfHandles);
  }

  private Opened wrap(RocksDB db, List<ColumnFamilyHandle> cfHandles) {
    StoreHandles handles = new StoreHandles(db, cfHandles.get(1), cfHandles.get(2), cfHandles.get(3),
        cfHandles.get(4), cfHandles.get(5), cfHandles.get(6), cfHandles.get(7), cfHandles.get(8),
        cfHandles.get(9), cfHandles.get(10));
    RocksReader latest = new RocksReader(handles) {
      @Override
      byte[] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
        return handles.db().get(cf, readOptions, key);
      }

      @Override
      RocksIterator iterator(ColumnFamilyHandle cf) {
        return handles.db().newIterator(cf, readOptions);
      }
    };
    return new Opened(cfHandles, handles, latest);
  }

  private static final List<String> COLUMN_FAMILIES =
      List.of("inodes", "edges", "mounts", "meta", "requests", "request_times", "jobs", "ttls",
          "versions", "links");

  private static List<ColumnFamilyDescriptor> descriptors(ColumnFamilyOptions cfOptions) {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (String name : COLUMN_FAMILIES) {
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), cfOptions));
    }
    return descriptors;
  }

  /**
   * Opens (creating if needed) the store in {@code dir}. A new store holds only the root directory, owned by
   * {@code rootOwner}, mode 0755, times 0 (so every master creates the same root).
   */
  public static NamespaceStore open(Path dir, String rootOwner) throws IOException {
    Files.createDirectories(dir);
    DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2);
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors = descriptors(cfOptions);
    List<ColumnFamilyHandle> cfHandles = new ArrayList<>();
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, cfHandles);
    } catch (RocksDBException e) {
      cfOptions.close();
      dbOptions.close();
      throw new IOException("cannot open namespace store in " + dir + ": " + e.getMessage(), e);
    }
    NamespaceStore store = new NamespaceStore(dir, dbOptions, cfOptions, db, cfHandles);
    try {
      store.load(rootOwner);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private void load(String rootOwner) {
    StoreHandles handles = opened.handles();
    try {
      byte[] next = handles.db().get(handles.meta(), StoreKeys.NEXT_INODE_ID);
      if (next == null) {
        createRoot(rootOwner);
        return;
      }
      nextInodeId = StoreKeys.toLong(next);
      inodeCount = StoreKeys.toLong(handles.db().get(handles.meta(), StoreKeys.INODE_COUNT));
      byte[] applied = handles.db().get(handles.meta(), StoreKeys.APPLIED);
      ByteBuffer b = ByteBuffer.wrap(applied);
      appliedTerm = b.getLong();
      appliedIndex = b.getLong();
      LOG.info("namespace store {}: {} inodes, applied index {} (term {})", dir, inodeCount, appliedIndex,
          appliedTerm);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read namespace meta in " + dir, e);
    }
  }

  private void createRoot(String rootOwner) {
    InodeRecord root = InodeRecord.newBuilder().setId(ROOT_ID).setParentId(0).setName("")
        .setType(FileType.DIRECTORY).setMode(0755).setOwner(rootOwner).setGroup(rootOwner).setNlink(2).build();
    try (StoreBatch batch = new StoreBatch(opened.handles(), readOptions, ROOT_ID, 0)) {
      batch.insertInode(root);
      // No log entry has been applied: index -1 (Ratis's invalid index), so the first entry, index 0, applies.
      write(batch, 0, -1);
    }
    LOG.info("namespace store {}: created with root directory", dir);
  }

  /** Reads of the latest committed state. */
  public NamespaceReader reader() {
    return opened.latest();
  }

  /** A consistent view for several reads; the caller closes it. */
  public StoreSnapshot snapshot() {
    return new StoreSnapshot(opened.handles());
  }

  /** A batch for the writes of one journal entry; the caller closes it after {@link #commit}. */
  public StoreBatch newBatch() {
    return new StoreBatch(opened.handles(), readOptions, nextInodeId, inodeCount);
  }

  /**
   * Writes {@code batch} and the entry's {@code term}/{@code index} as applied, atomically.
   *
   * @throws IllegalStateException when {@code index} is not after {@link #appliedIndex()} (replay must skip it)
   */
  public void commit(StoreBatch batch, long term, long index) {
    if (index <= appliedIndex) {
      throw new IllegalStateException("index " + index + " already applied (store at " + appliedIndex + ")");
    }
    write(batch, term, index);
  }

  /**
   * Writes {@code batch} without applying a log entry: for offline bulk loading (benchmarks, imports) into a store
   * no master is running on. The applied index stays where it is, so the journal replays as before.
   */
  public void importOffline(StoreBatch batch) {
    write(batch, appliedTerm, appliedIndex);
  }

  private void write(StoreBatch batch, long term, long index) {
    try {
      opened.handles().db().write(writeOptions, batch.finish(term, index));
    } catch (RocksDBException e) {
      throw new StoreException("cannot commit log index " + index, e);
    }
    nextInodeId = batch.nextInodeId();
    inodeCount = batch.inodeCount();
    appliedTerm = term;
    appliedIndex = index;
  }

  /** The log index of the last entry applied, or -1. */
  public long appliedIndex() {
    return appliedIndex;
  }

  /** The log term of the last entry applied. */
  public long appliedTerm() {
    return appliedTerm;
  }

  /** One more than the largest inode id any applied entry used: the leader's id counter starts here. */
  public long nextInodeId() {
    return nextInodeId;
  }

  /** Inodes in the namespace, the root included. */
  public long inodeCount() {
    return inodeCount;
  }

  /**
   * Writes a RocksDB checkpoint of the current state into {@code target} (which must not exist): hard links to the
   * immutable table files, so it is cheap and the store keeps running. Call it between applies, so the checkpoint's
   * applied index is the one {@link #appliedIndex()} reports.
   */
  public void checkpoint(Path target) throws IOException {
    try (Checkpoint cp = Checkpoint.create(opened.handles().db())) {
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException("cannot checkpoint the namespace store into " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replaces the whole store with a copy of {@code checkpoint} (a snapshot installed from the leader) and reopens
   * it there. Readers obtained before must not be used after; on a follower nothing reads the store meanwhile.
   */
  public synchronized void restoreFrom(Path checkpoint) throws IOException {
    Opened old = opened;
    closeDb(old);
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Files.createDirectories(dir);
    try (var files = Files.list(checkpoint)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    List<ColumnFamilyHandle> cfHandles = new ArrayList<>();
    try {
      opened = wrap(RocksDB.open(dbOptions, dir.toString(), descriptors(cfOptions), cfHandles), cfHandles);
    } catch (RocksDBException e) {
      throw new IOException("cannot reopen the namespace store restored from " + checkpoint + ": "
          + e.getMessage(), e);
    }
    load("");
    LOG.info("namespace store {} restored from {} at index {}", dir, checkpoint, appliedIndex);
  }

  private static void closeDb(Opened o) {
    for (ColumnFamilyHandle h : o.cfHandles()) {
      h.close();
    }
    o.handles().db().close();
  }

  /** Frees every native handle. Call it after readers and the applier stopped; later calls do nothing. */
  @Override
  public void close() {
    if (!open.compareAndSet(true, false)) {
      return;
    }
    closeDb(opened);
    writeOptions.close();
    readOptions.close();
    cfOptions.close();
    dbOptions.close();
  }
}
