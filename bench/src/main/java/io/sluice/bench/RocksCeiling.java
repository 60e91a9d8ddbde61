package io.sluice.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The ceiling for metadata: raw RocksDB puts and point gets of inode-sized values (8-byte key, ~120-byte value,
 * the size of a small file's InodeRecord) from the same number of threads, on the same disk.
 */
final class RocksCeiling {
  private static final int VALUE_BYTES = 120;

  private RocksCeiling() {}

  static PhaseResult[] run(Path dir, int threads, int perThread) throws Exception {
    RocksDB.loadLibrary();
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(options, dir.toString());
        WriteOptions write = new WriteOptions()) {
      byte[] value = new byte[VALUE_BYTES];
      PhaseResult put = Phase.run("rocksdb put (ceiling)", threads, perThread,
          (t, i) -> db.put(write, key((long) t * perThread + i), value));
      long keys = (long) threads * perThread;
      SplittableRandom seeds = new SplittableRandom(42);
      SplittableRandom[] rnd = new SplittableRandom[threads];
      for (int t = 0; t < threads; t++) {
        rnd[t] = seeds.split();
      }
      PhaseResult get = Phase.run("rocksdb get (ceiling)", threads, perThread, (t, i) -> {
        if (db.get(key(rnd[t].nextLong(keys))) == null) {
          throw new IllegalStateException("missing key");
        }
      });
      return new PhaseResult[] {put, get};
    }
  }

  private static byte[] key(long id) {
    return ByteBuffer.allocate(8).putLong(id).array();
  }
}
