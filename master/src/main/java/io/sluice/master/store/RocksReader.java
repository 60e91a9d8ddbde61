package io.sluice.master.store;

import io.sluice.master.proto.MountRecord;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JobRecord;
import io.sluice.master.proto.VersionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The {@link NamespaceReader} logic over two primitives, a point get and an iterator, so the latest state, a
 * snapshot and a batch (which overlays its own writes) all decode keys the same way.
 */
abstract class RocksReader implements NamespaceReader {
  final StoreHandles handles;

  RocksReader(StoreHandles handles) {
    this.handles = handles;
  }

  /** The value of {@code key} in {@code cf}, or null. */
  abstract byte[] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException;

  /** A new iterator over {@code cf}; the caller closes it. */
  abstract RocksIterator iterator(ColumnFamilyHandle cf);

  @Override
  public Optional<InodeRecord> inode(long id) {
    try {
      byte[] v = get(handles.inodes(), StoreKeys.inode(id));
      return v == null ? Optional.empty() : Optional.of(InodeRecord.parseFrom(v));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read inode " + id, e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt inode record " + id, e);
    }
  }

  @Override
  public Optional<io.sluice.master.proto.ApplyResult> requestResult(String clientId, long requestId) {
    try {
      byte[] v = get(handles.requests(), StoreKeys.request(clientId, requestId));
      return v == null ? Optional.empty()
          : Optional.of(io.sluice.master.proto.RequestRecord.parseFrom(v).getResult());
    } catch (RocksDBException e) {
      throw new StoreException("cannot read request " + clientId + "/" + requestId, e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt request record " + clientId + "/" + requestId, e);
    }
  }

  @Override
  public OptionalLong childId(long parentId, String name) {
    try {
      byte[] v = get(handles.edges(), StoreKeys.edge(parentId, name));
      return v == null ? OptionalLong.empty() : OptionalLong.of(StoreKeys.toLong(v));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read entry " + name + " of " + parentId, e);
    }
  }

  @Override
  public List<MountRecord> mounts() {
    List<MountRecord> out = new ArrayList<>();
    try (RocksIterator it = iterator(handles.mounts())) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(MountRecord.parseFrom(it.value()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the mount table", e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt mount record", e);
    }
    return out;
  }

  @Override
  public List<JobRecord> jobs() {
    List<JobRecord> out = new ArrayList<>();
    try (RocksIterator it = iterator(handles.jobs())) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(JobRecord.parseFrom(it.value()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the job table", e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt job record", e);
    }
    return out;
  }

  @Override
  public Optional<JobRecord> job(long jobId) {
    try {
      byte[] v = get(handles.jobs(), StoreKeys.longBytes(jobId));
      return v == null ? Optional.empty() : Optional.of(JobRecord.parseFrom(v));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read job " + jobId, e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt job record " + jobId, e);
    }
  }

  @Override
  public Optional<VersionRecord> version(long blockId) {
    try {
      byte[] v = get(handles.versions(), StoreKeys.longBytes(blockId));
      return v == null ? Optional.empty() : Optional.of(VersionRecord.parseFrom(v));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read block version " + blockId, e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt block version record " + blockId, e);
    }
  }

  @Override
  public List<Version> versions(long after, int limit) {
    List<Version> out = new ArrayList<>(Math.min(limit, 1024));
    try (RocksIterator it = iterator(handles.versions())) {
      byte[] from = StoreKeys.longBytes(after);
      it.seek(from);
      if (it.isValid() && Arrays.equals(it.key(), from)) {
        it.next();
      }
      for (; it.isValid() && out.size() < limit; it.next()) {
        out.add(new Version(StoreKeys.toLong(it.key()), VersionRecord.parseFrom(it.value())));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the block versions", e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt block version record", e);
    }
    return out;
  }

  @Override
  public List<Long> ttlInodes(long after, int limit) {
    List<Long> out = new ArrayList<>(Math.min(limit, 1024));
    try (RocksIterator it = iterator(handles.ttls())) {
      byte[] from = StoreKeys.longBytes(after);
      it.seek(from);
      if (it.isValid() && Arrays.equals(it.key(), from)) {
        it.next();
      }
      for (; it.isValid() && out.size() < limit; it.next()) {
        out.add(StoreKeys.toLong(it.key()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the TTL index", e);
    }
    return out;
  }

  @Override
  public List<Name> links(long inodeId, int limit) {
    byte[] prefix = StoreKeys.longBytes(inodeId);
    List<Name> out = new ArrayList<>();
    try (RocksIterator it = iterator(handles.links())) {
      for (it.seek(prefix); it.isValid() && out.size() < limit && StoreKeys.hasPrefix(it.key(), prefix); it.next()) {
        out.add(StoreKeys.linkName(it.key()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the names of inode " + inodeId, e);
    }
    return out;
  }

  @Override
  public List<Child> children(long dirId, String startAfter, int limit) {
    byte[] prefix = StoreKeys.edgePrefix(dirId);
    List<Child> out = new ArrayList<>(Math.min(limit, 1024));
    try (RocksIterator it = iterator(handles.edges())) {
      if (startAfter.isEmpty()) {
        it.seek(prefix);
      } else {
        byte[] from = StoreKeys.edge(dirId, startAfter);
        it.seek(from);
        if (it.isValid() && Arrays.equals(it.key(), from)) {
          it.next();
        }
      }
      for (; it.isValid() && out.size() < limit; it.next()) {
        byte[] key = it.key();
        if (!StoreKeys.hasPrefix(key, prefix)) {
          break;
        }
        out.add(new Child(StoreKeys.edgeName(key), StoreKeys.toLong(it.value())));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot list directory " + dirId, e);
    }
    return out;
  }
}
