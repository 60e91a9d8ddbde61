package io.sluice.master.store;

import io.sluice.master.proto.MountRecord;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JobRecord;
import io.sluice.master.proto.RequestRecord;
import io.sluice.master.proto.VersionRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The writes of one journal entry, committed atomically by {@link NamespaceStore#commit} together with the entry's
 * log index. Reads through the batch see its own writes first, then the store, so an operation that creates
 * several inodes (mkdir -p) or removes a subtree can read what it wrote. Single-threaded; close it after commit.
 */
public final class StoreBatch extends RocksReader implements AutoCloseable {
  private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
  private final ReadOptions readOptions;
  private final long baseNextInodeId;
  private final long baseInodeCount;
  private long nextInodeId;
  private long inodeCount;

  StoreBatch(StoreHandles handles, ReadOptions readOptions, long nextInodeId, long inodeCount) {
    super(handles);
    this.readOptions = readOptions;
    this.baseNextInodeId = nextInodeId;
    this.baseInodeCount = inodeCount;
    this.nextInodeId = nextInodeId;
    this.inodeCount = inodeCount;
  }

  @Override
  byte[] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
    return batch.getFromBatchAndDB(handles.db(), cf, readOptions, key);
  }

  @Override
  RocksIterator iterator(ColumnFamilyHandle cf) {
    return batch.newIteratorWithBase(cf, handles.db().newIterator(cf, readOptions));
  }

  /** One more than the largest inode id ever used, counting this batch's inserts. Ids are never reused. */
  public long nextInodeId() {
    return nextInodeId;
  }

  /** Inodes in the namespace, counting this batch's inserts and deletes. */
  public long inodeCount() {
    return inodeCount;
  }

  /**
   * Adds a new inode. Its id must not be in use (the caller checks); {@link #nextInodeId()} moves past it. Ids of
   * one leader may be applied out of allocation order (calls race between allocating and proposing), so an id below
   * {@link #nextInodeId()} is fine as long as it is unused.
   */
  public void insertInode(InodeRecord inode) {
    nextInodeId = Math.max(nextInodeId, inode.getId() + 1);
    inodeCount++;
    put(handles.inodes(), StoreKeys.inode(inode.getId()), inode.toByteArray());
  }

  /** Replaces an existing inode's record. */
  public void updateInode(InodeRecord inode) {
    put(handles.inodes(), StoreKeys.inode(inode.getId()), inode.toByteArray());
  }

  /** Removes an inode's record (its edges are the caller's to remove). */
  public void deleteInode(long id) {
    inodeCount--;
    delete(handles.inodes(), StoreKeys.inode(id));
  }

  public void putEdge(long parentId, String name, long childId) {
    put(handles.edges(), StoreKeys.edge(parentId, name), StoreKeys.longBytes(childId));
  }

  public void deleteEdge(long parentId, String name) {
    delete(handles.edges(), StoreKeys.edge(parentId, name));
  }

  /** Records {@code parentId/name} as one of the names of inode {@code inodeId} (see {@link #links}). */
  public void putLink(long inodeId, long parentId, String name) {
    put(handles.links(), StoreKeys.link(inodeId, parentId, name), new byte[0]);
  }

  public void deleteLink(long inodeId, long parentId, String name) {
    delete(handles.links(), StoreKeys.link(inodeId, parentId, name));
  }

  /** Adds or replaces a mount record (key: its mount id). */
  public void putMount(MountRecord mount) {
    put(handles.mounts(), StoreKeys.longBytes(mount.getInfo().getMountId()), mount.toByteArray());
  }

  public void deleteMount(long mountId) {
    delete(handles.mounts(), StoreKeys.longBytes(mountId));
  }

  /** Adds or replaces a job record (key: its job id). */
  public void putJob(JobRecord job) {
    put(handles.jobs(), StoreKeys.longBytes(job.getJobId()), job.toByteArray());
  }

  public void deleteJob(long jobId) {
    delete(handles.jobs(), StoreKeys.longBytes(jobId));
  }

  /** Marks inode {@code id} as holding a TTL, for the leader's scan (the TTL itself is in the inode). */
  public void putTtl(long id) {
    put(handles.ttls(), StoreKeys.longBytes(id), new byte[0]);
  }

  public void deleteTtl(long id) {
    delete(handles.ttls(), StoreKeys.longBytes(id));
  }

  /**
   * Records block version {@code blockId}; {@code idPart} is the inode-counter id it was made from (see
   * {@code BlockIds.version}), which {@link #nextInodeId()} moves past so no inode or other version reuses it.
   */
  public void putVersion(long blockId, long idPart, VersionRecord version) {
    nextInodeId = Math.max(nextInodeId, idPart + 1);
    put(handles.versions(), StoreKeys.longBytes(blockId), version.toByteArray());
  }

  public void deleteVersion(long blockId) {
    delete(handles.versions(), StoreKeys.longBytes(blockId));
  }

  /** Records the first outcome of a deduplicated mutation, to answer its retries with. */
  public void recordRequest(String clientId, long requestId, long timeMs, ApplyResult result) {
    byte[] key = StoreKeys.request(clientId, requestId);
    put(handles.requests(), key, RequestRecord.newBuilder().setResult(result).setTimeMs(timeMs).build()
        .toByteArray());
    put(handles.requestTimes(), StoreKeys.requestTime(timeMs, key), new byte[0]);
  }

  /**
   * Drops up to {@code max} request records older than {@code beforeMs}, oldest first, so each apply removes only
   * what expired since the last one: one seek plus the records dropped. The bound keeps one apply short after a
   * long quiet spell; later applies take the rest.
   */
  public void expireRequests(long beforeMs, int max) {
    List<byte[]> expired = new ArrayList<>();
    // Collect first: a WriteBatchWithIndex must not change while one of its iterators is open.
    try (RocksIterator it = iterator(handles.requestTimes())) {
      for (it.seekToFirst(); it.isValid() && expired.size() < max; it.next()) {
        byte[] timeKey = it.key();
        if (StoreKeys.toLong(Arrays.copyOf(timeKey, Long.BYTES)) >= beforeMs) {
          break;
        }
        expired.add(timeKey);
      }
    }
    for (byte[] timeKey : expired) {
      delete(handles.requestTimes(), timeKey);
      delete(handles.requests(), StoreKeys.requestOfTime(timeKey));
    }
  }

  /** Drops every write made so far (a failed operation still commits its log index, with nothing else). */
  public void discard() {
    batch.clear();
    nextInodeId = baseNextInodeId;
    inodeCount = baseInodeCount;
  }

  /** Adds the meta records and returns the batch to write. */
  WriteBatchWithIndex finish(long term, long index) {
    put(handles.meta(), StoreKeys.APPLIED, ByteBuffer.allocate(16).putLong(term).putLong(index).array());
    put(handles.meta(), StoreKeys.NEXT_INODE_ID, StoreKeys.longBytes(nextInodeId));
    put(handles.meta(), StoreKeys.INODE_COUNT, StoreKeys.longBytes(inodeCount));
    return batch;
  }

  private void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    try {
      batch.put(cf, key, value);
    } catch (RocksDBException e) {
      throw new StoreException("cannot add to batch", e);
    }
  }

  private void delete(ColumnFamilyHandle cf, byte[] key) {
    try {
      batch.delete(cf, key);
    } catch (RocksDBException e) {
      throw new StoreException("cannot add to batch", e);
    }
  }

  @Override
  public void close() {
    batch.close();
  }
}
