package io.sluice.master.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A consistent point-in-time view of the namespace, for reads that look at several keys (resolving a path, then
 * listing it) while entries are being applied. Cheap (a RocksDB sequence number); close it promptly, since it pins
 * old versions of the keys.
 */
public final class StoreSnapshot extends RocksReader implements AutoCloseable {
  private final Snapshot snapshot;
  private final ReadOptions readOptions;

  StoreSnapshot(StoreHandles handles) {
    super(handles);
    this.snapshot = handles.db().getSnapshot();
    this.readOptions = new ReadOptions().setSnapshot(snapshot);
  }

  @Override
  byte[] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
    return handles.db().get(cf, readOptions, key);
  }

  @Override
  RocksIterator iterator(ColumnFamilyHandle cf) {
    return handles.db().newIterator(cf, readOptions);
  }

  @Override
  public void close() {
    readOptions.close();
    handles.db().releaseSnapshot(snapshot);
  }
}
