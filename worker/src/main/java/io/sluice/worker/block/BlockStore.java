package io.sluice.worker.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's committed blocks in one directory: {@code blocks/<id>} holds a committed block,
 * {@code tmp/<id>-<n>} a block being written. A block becomes visible only by an atomic rename from tmp, and is
 * never modified after (DESIGN §3), so readers need no locks. Space is reserved for a whole block when its write
 * starts, so concurrent writers can never overfill the directory. Thread-safe.
 */
public final class BlockStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlockStore.class);

  private final Path blocksDir;
  private final Path tmpDir;
  private final long capacity;
  private final boolean sync;
  private final Map<Long, Long> lengths = new ConcurrentHashMap<>();
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong tmpNames = new AtomicLong();
  private volatile BlockListener listener = new BlockListener() {
    @Override
    public void committed(long blockId) {}

    @Override
    public void removed(long blockId) {}
  };

  /**
   * @param dir the tier directory
   * @param capacity bytes the blocks may occupy
   * @param sync fsync each block before it is committed
   */
  public BlockStore(Path dir, long capacity, boolean sync) {
    this.blocksDir = dir.resolve("blocks");
    this.tmpDir = dir.resolve("tmp");
    this.capacity = capacity;
    this.sync = sync;
  }

  /** Creates the directories, drops blocks half-written before a crash, and loads the committed ones. */
  public void open() throws IOException {
    Files.createDirectories(blocksDir);
    Files.createDirectories(tmpDir);
    int dropped = 0;
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(tmpDir)) {
      for (Path p : tmp) {
        Files.deleteIfExists(p);
        dropped++;
      }
    }
    try (DirectoryStream<Path> blocks = Files.newDirectoryStream(blocksDir)) {
      for (Path p : blocks) {
        long id;
        try {
          id = Long.parseLong(p.getFileName().toString());
        } catch (NumberFormatException e) {
          LOG.warn("ignoring {}: not a block file", p);
          continue;
        }
        long len = Files.size(p);
        lengths.put(id, len);
        used.addAndGet(len);
      }
    }
    LOG.info("block store {}: {} blocks, {} of {} bytes used{}", blocksDir.getParent(), lengths.size(), used.get(),
        capacity, dropped > 0 ? ", dropped " + dropped + " unfinished writes" : "");
  }

  public void setListener(BlockListener l) {
    this.listener = l;
  }

  /**
   * Starts writing a block, reserving {@code maxLength} bytes.
   *
   * @throws RpcException ALREADY_EXISTS for a committed id, NO_SPACE when the reservation does not fit
   */
  public TempBlock create(long blockId, long maxLength) throws RpcException {
    if (lengths.containsKey(blockId)) {
      throw new RpcException(Status.ALREADY_EXISTS, "block " + blockId + " already exists");
    }
    long r = reserved.addAndGet(maxLength);
    if (used.get() + r > capacity) {
      reserved.addAndGet(-maxLength);
      throw new RpcException(Status.NO_SPACE, "no room for block " + blockId + ": " + used.get() + " used, "
          + (r - maxLength) + " reserved of " + capacity);
    }
    Path tmp = tmpDir.resolve(blockId + "-" + tmpNames.incrementAndGet());
    try {
      return new TempBlock(this, blockId, tmp, maxLength);
    } catch (IOException e) {
      reserved.addAndGet(-maxLength);
      throw new RpcException(Status.IO_ERROR, "cannot create " + tmp + ": " + e.getMessage(), e);
    }
  }

  /** Makes a finished temp block visible; called by {@link TempBlock#commit()}. */
  void commit(TempBlock block, long length) throws RpcException {
    Path target = path(block.blockId());
    try {
      if (sync) {
        block.channel().force(true);
      }
      synchronized (this) {
        if (lengths.containsKey(block.blockId())) {
          throw new RpcException(Status.ALREADY_EXISTS, "block " + block.blockId() + " already exists");
        }
        Files.move(block.tmpPath(), target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        lengths.put(block.blockId(), length);
        used.addAndGet(length);
      }
    } catch (IOException e) {
      throw new RpcException(Status.IO_ERROR, "cannot commit block " + block.blockId() + ": " + e.getMessage(), e);
    } finally {
      reserved.addAndGet(-block.maxLength());
    }
    listener.committed(block.blockId());
  }

  /** Gives back the reservation of an abandoned temp block; called by {@link TempBlock#abort()}. */
  void release(TempBlock block) {
    reserved.addAndGet(-block.maxLength());
  }

  /** The committed block's file. */
  public Path path(long blockId) {
    return blocksDir.resolve(Long.toString(blockId));
  }

  /**
   * The committed block's length.
   *
   * @throws RpcException NOT_FOUND when this worker does not hold it
   */
  public long length(long blockId) throws RpcException {
    Long len = lengths.get(blockId);
    if (len == null) {
      throw new RpcException(Status.NOT_FOUND, "block " + blockId + " is not on this worker");
    }
    return len;
  }

  /** Deletes a committed block; returns whether it was here. */
  public boolean delete(long blockId) throws IOException {
    Long len;
    synchronized (this) {
      len = lengths.remove(blockId);
      if (len == null) {
        return false;
      }
      Files.deleteIfExists(path(blockId));
      used.addAndGet(-len);
    }
    listener.removed(blockId);
    return true;
  }

  /** A snapshot of the committed blocks' ids. */
  public long[] blockIds() {
    return lengths.keySet().stream().mapToLong(Long::longValue).toArray();
  }

  public long capacity() {
    return capacity;
  }

  public long used() {
    return used.get();
  }

  Path tmpDir() {
    return tmpDir;
  }
}
