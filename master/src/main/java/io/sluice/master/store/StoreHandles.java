package io.sluice.master.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;

/** The open database and its column family handles, owned and closed by {@link NamespaceStore}. */
record StoreHandles(RocksDB db, ColumnFamilyHandle inodes, ColumnFamilyHandle edges, ColumnFamilyHandle mounts,
    ColumnFamilyHandle meta, ColumnFamilyHandle requests, ColumnFamilyHandle requestTimes, ColumnFamilyHandle jobs,
    ColumnFamilyHandle ttls, ColumnFamilyHandle versions, ColumnFamilyHandle links) {}
