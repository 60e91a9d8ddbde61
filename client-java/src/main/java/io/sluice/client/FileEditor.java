package io.sluice.client;

import io.netty.buffer.ByteBuf;
import io.sluice.client.block.BlockWriter;
import io.sluice.common.proto.BlockEdit;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CommitEditRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Changes a complete file: writes anywhere (past the end too), truncates, and reads the file as changed so far;
 * {@link #commit()} makes the changes visible to readers that open the file afterwards, all at once
 * (close-to-open consistency). Readers that opened it before keep reading what it held then.
 *
 * <p>Committed blocks are immutable (DESIGN §3), so a commit writes a new version of every block the changes
 * touch (ALLOCATE_BLOCK_VERSION, then the block to its workers) and swaps them in with one COMMIT_EDIT naming the
 * length and the blocks it started from. When another writer committed since, the master refuses with STALE and the
 * file keeps the other writer's content: changes to different blocks of one file both land, to the same block (or
 * to the length) the later commit fails. After a commit the editor goes on from the file as it committed it.
 *
 * <p>Until committed, the new content of each changed block is kept in a temporary file in
 * {@link ClientKeys#EDIT_DIR} (up to a block size per changed block, not on the heap); unchanged ranges are read
 * from the workers. A block rewritten from its start, in order and in writes of at least {@value #STREAM_MIN} bytes
 * (a copy over the file, {@code dd conv=notrunc}), goes straight to its new version on a worker instead
 * ({@link StreamedVersion}): the commit then sends only what follows the rewritten part. The first write elsewhere
 * in that block, read of the rewritten part or truncate into it moves the block to a temporary file, read back from
 * the worker, and the version sent so far is given up; so does a stream older than
 * {@link ClientKeys#EDIT_STREAM_MAX_AGE}, at the editor's next call, because the master drops versions left
 * uncommitted too long. A worker that cannot take a stream turns streaming off for the editor. Write permission is
 * checked by the master when the changes are committed.
 *
 * <p>Any failure of a write, truncate or commit fails the editor: its uncommitted changes are dropped (with the
 * versions it wrote) and every later call throws. A failed read, or an argument refused before anything changed,
 * leaves it as it was, except a read that had to move a streamed block and could not: that fails the editor too,
 * since the block's new bytes may be gone. Thread-safe: calls run one at a time (a FUSE mount reads through it from reader
 * threads while its loop writes).
 */
public final class FileEditor implements Closeable {
  /** How many placements to try for one block version when its first worker cannot be reached. */
  private static final int PLACEMENT_ATTEMPTS = 3;
  /** The smallest write at a block's start that starts streaming it: a sequential writer's, not a page's. */
  static final int STREAM_MIN = 64 * 1024;

  private final StreamContext ctx;
  private String path;
  private final long fileId;
  private final long blockSize;

  /*
   * The base is the file as this editor last saw it committed (opened or committed by this editor): its info, its
   * blocks (each a full block size but the last) and its length. On top of it, the editor's view is: the length,
   * the dirty blocks (whole new content of a block), and keptLength, the smallest length since the base. Base bytes
   * at or past keptLength were cut off by a truncate, so they read as zeros wherever no dirty block holds the range;
   * a dirty block never holds bytes at or past the length (a shrink cuts it too). So growing needs no work: what the
   * file grows over already reads as zeros.
   */
  private FileInfo info;
  private List<BlockInfo> baseBlocks;
  private long baseLength;
  private long keptLength;
  private long length;
  private final TreeMap<Integer, DirtyBlock> dirtyBlocks = new TreeMap<>();
  /** Blocks being rewritten in order straight to new versions; never also in {@link #dirtyBlocks}. */
  private final StreamedBlocks streams;
  /** Reads the base; opened on first need, dropped when the base changes. */
  private SluiceInputStream base;
  /** One chunk's worth, for copying block content between the base, the temporary files and the workers. */
  private byte[] scratch;
  private IOException failure;
  private boolean closed;

  private FileEditor(StreamContext ctx, String path, FileInfo info, List<BlockInfo> blocks) {
    this.ctx = ctx;
    this.path = path;
    this.fileId = info.getId();
    this.blockSize = info.getBlockSize();
    this.info = info;
    this.streams = new StreamedBlocks(ctx, fileId, blockSize);
    this.baseBlocks = new ArrayList<>(blocks);
    this.baseLength = info.getLength();
    this.keptLength = baseLength;
    this.length = baseLength;
  }

  /**
   * An editor of the file {@code info} whose blocks are {@code blocks}, as GET_BLOCK_LOCATIONS listed them.
   *
   * @throws RpcException INVALID_ARGUMENT when the file is still being written, is under a mount (the master only
   *     replaces those whole) or its blocks are not laid out at its block size
   */
  static FileEditor open(StreamContext ctx, String path, FileInfo info, List<BlockInfo> blocks) throws RpcException {
    if (!info.getComplete()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": is still being written by its creator");
    }
    if (info.getMountId() != 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": is under a mount; files there can only be replaced "
          + "whole, not changed in place");
    }
    long bs = info.getBlockSize();
    long len = info.getLength();
    boolean regular = bs > 0 && blocks.size() == (len == 0 ? 0 : (len - 1) / bs + 1);
    for (int i = 0; regular && i < blocks.size(); i++) {
      regular = blocks.get(i).getLength() == Math.min(bs, len - i * bs);
    }
    if (!regular) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": its " + blocks.size() + " blocks do not hold "
          + len + " bytes at the block size " + bs + ", so blocks cannot be replaced one by one");
    }
    return new FileEditor(ctx, path, info, blocks);
  }

  /** The file's inode id; a commit fails with NOT_FOUND once the file was deleted or replaced. */
  public long fileId() {
    return fileId;
  }

  public synchronized String path() {
    return path;
  }

  /** Follows a rename of the file. The master finds the file by its id; the path is what messages name. */
  public synchronized void renamed(String to) {
    path = to;
  }

  /** The file's length as this editor sees it, uncommitted changes included. */
  public synchronized long length() {
    return length;
  }

  /** Whether there are changes to commit. */
  public synchronized boolean dirty() {
    return !dirtyBlocks.isEmpty() || !streams.isEmpty() || length != baseLength || keptLength < baseLength;
  }

  /**
   * Reads up to {@code len} bytes at {@code pos} as this editor sees the file, its uncommitted changes included.
   *
   * @return bytes read: {@code len}, or fewer only at the end of the file; -1 when {@code pos} is at or past the end
   *     (0 when {@code len} is 0)
   * @throws EOFException when {@code pos} is negative
   */
  public synchronized int read(long pos, byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureUsable();
    if (pos < 0) {
      throw new EOFException(path + ": negative position " + pos);
    }
    expireStreams();
    if (pos >= length) {
      return len == 0 ? 0 : -1;
    }
    int n = (int) Math.min(len, length - pos);
    readRange(pos, b, off, n);
    return n;
  }

  /**
   * Writes {@code len} bytes at {@code pos}. Past the end the file grows; a gap between the end and {@code pos}
   * reads as zeros.
   *
   * @throws IllegalArgumentException when {@code pos} is negative or the file would be longer than a file can be
   */
  public synchronized void write(long pos, byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureUsable();
    if (pos < 0 || pos > Long.MAX_VALUE - len) {
      throw new IllegalArgumentException(path + ": cannot write " + len + " bytes at " + pos);
    }
    checkLength(pos + len);
    try {
      expireStreams();
      while (len > 0) {
        int index = blockIndex(pos);
        long inBlock = pos - start(index);
        int n = (int) Math.min(len, blockSize - inBlock);
        StreamedVersion stream = dirtyBlocks.containsKey(index) ? null : stream(index, inBlock, n);
        if (stream != null) {
          stream.write(b, off, n);
          if (stream.written() == blockSize) {
            stream.finish(); // full: its worker commits it now rather than hold the stream open until the commit
          }
        } else {
          dirtyBlock(index, inBlock, n).write(inBlock, b, off, n);
        }
        pos += n;
        off += n;
        len -= n;
        length = Math.max(length, pos);
      }
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    }
  }

  /**
   * Sets the length: shorter drops the bytes past it, longer adds zeros (never bytes the file held before a
   * shorter truncate).
   *
   * @throws IllegalArgumentException when {@code newLength} is negative or longer than a file can be
   */
  public synchronized void truncate(long newLength) throws IOException {
    ensureUsable();
    if (newLength < 0) {
      throw new IllegalArgumentException(path + ": cannot truncate to " + newLength + " bytes");
    }
    checkLength(newLength);
    if (newLength < length) {
      try {
        expireStreams();
        int count = blockCount(newLength);
        streams.cutFrom(count);
        StreamedVersion lastStream = count == 0 ? null : streams.get(count - 1);
        if (lastStream != null && lastStream.written() > newLength - start(count - 1)) {
          unstream(count - 1);
        }
        Map<Integer, DirtyBlock> cut = dirtyBlocks.tailMap(count, true);
        List<DirtyBlock> dropped = new ArrayList<>(cut.values());
        cut.clear();
        closeAll(dropped);
        DirtyBlock last = count == 0 ? null : dirtyBlocks.get(count - 1);
        if (last != null) {
          last.truncate(newLength - start(count - 1));
        }
      } catch (IOException | RuntimeException e) {
        throw fail(e);
      }
      keptLength = Math.min(keptLength, newLength);
    }
    length = newLength;
  }

  /**
   * Makes the changes visible: writes a new version of every block they touch and swaps them into the file with
   * its new length, in one step. Without changes, returns the file as last seen and asks the master nothing. After
   * a commit the editor goes on from the file as committed.
   *
   * @return the file as committed
   * @throws RpcException STALE (and the file keeps the other writer's content) when the file was changed by another
   *     writer since this editor opened it or last committed, NOT_FOUND when it was deleted or replaced,
   *     PERMISSION_DENIED; any failure fails the editor
   */
  public synchronized FileInfo commit() throws IOException {
    ensureUsable();
    if (!dirty()) {
      return info;
    }
    Map<Integer, BlockInfo> versions = new TreeMap<>();
    List<Long> abandoned = new ArrayList<>();
    FileInfo committed;
    try {
      CommitEditRequest.Builder req = CommitEditRequest.newBuilder().setFileId(fileId).setPath(path)
          .setBaseLength(baseLength).setLength(length);
      expireStreams();
      for (int i = 0, count = blockCount(length); i < count; i++) {
        if (mustRewrite(i)) {
          StreamedVersion stream = streams.get(i);
          BlockInfo v = stream != null ? finish(i, stream) : writeVersion(i, abandoned);
          versions.put(i, v);
          req.addEdits(BlockEdit.newBuilder().setIndex(i)
              .setBaseBlockId(i < baseBlocks.size() ? baseBlocks.get(i).getBlockId() : 0)
              .setBlock(BlockMeta.newBuilder().setBlockId(v.getBlockId()).setLength(v.getLength())));
        }
      }
      streams.takeGivenUp(abandoned);
      committed = ctx.master().commitEdit(req.addAllAbandoned(abandoned).build());
      rebase(committed, versions);
    } catch (IOException | RuntimeException e) {
      // fail() drops the versions given up and those of the streams (finished here or not); these are the others.
      versions.forEach((i, v) -> {
        if (streams.get(i) == null) {
          abandoned.add(v.getBlockId());
        }
      });
      dropVersions(abandoned, e);
      throw fail(e);
    }
    return committed;
  }

  /**
   * Drops changes not committed yet, without committing them, and releases everything; the editor is closed.
   * The master hears of it only to drop the versions blocks were streamed to.
   */
  public synchronized void abort() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    dropUncommitted(null);
    release();
  }

  /**
   * Asks the master to drop the versions a failed commit wrote (they would otherwise stay on the workers, kept
   * from eviction, until the master's pending version expiry). Best effort: a failure is added to {@code cause}, if
   * any.
   */
  private void dropVersions(List<Long> versions, Exception cause) {
    if (versions.isEmpty()) {
      return;
    }
    try {
      ctx.master().commitEdit(CommitEditRequest.newBuilder().setFileId(fileId).setPath(path).setAbandonOnly(true)
          .addAllAbandoned(versions).build());
    } catch (RpcException | RuntimeException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      }
    }
  }

  /** Drops the versions given up and those of the streams: changes that will not be committed. */
  private void dropUncommitted(Exception cause) {
    dropVersions(streams.takeUncommitted(), cause);
  }

  /**
   * Commits the changes, if any, then releases the temporary files and read streams. Idempotent; throws the
   * commit's failure, or the editor's earlier failure the first time.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    IOException error = null;
    try {
      if (failure != null) {
        throw new IOException(path + ": changes not committed, the editor failed: " + failure.getMessage(), failure);
      }
      commit();
    } catch (IOException e) {
      error = e;
    }
    closed = true;
    try {
      release();
    } catch (IOException e) {
      if (error == null) {
        error = e;
      } else {
        error.addSuppressed(e);
      }
    }
    if (error != null) {
      throw error;
    }
  }

  /** Fills {@code b[off, off + len)} with the file's bytes at {@code pos}, a range inside the length. */
  private void readRange(long pos, byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int index = blockIndex(pos);
      long inBlock = pos - start(index);
      int n = (int) Math.min(len, blockSize - inBlock);
      DirtyBlock dirty = dirtyBlocks.get(index);
      StreamedVersion stream = streams.get(index);
      if (dirty == null && stream != null && inBlock < stream.written()) {
        dirty = unstream(index); // the rewritten bytes are on the worker only
      }
      if (dirty != null) {
        dirty.read(inBlock, b, off, n);
      } else {
        readBase(pos, b, off, n); // past a stream's bytes, the block still reads as before
      }
      pos += n;
      off += n;
      len -= n;
    }
  }

  /** The base's bytes where they are kept, zeros from {@code keptLength} on. */
  private void readBase(long pos, byte[] b, int off, int len) throws IOException {
    int held = (int) Math.max(0, Math.min(len, keptLength - pos));
    if (held > 0) {
      if (base == null) {
        // The base's own listing, not the path's current one: the commit names the base's blocks, so reading
        // another writer's newer blocks here would mix two versions of the file.
        base = new SluiceInputStream(ctx, path, info, baseBlocks);
      }
      try {
        base.readFully(pos, b, off, held);
      } catch (IOException e) {
        if (!(e instanceof RpcException r && r.status() == Status.NOT_FOUND)
            && !(e.getCause() instanceof RpcException c && c.status() == Status.NOT_FOUND)) {
          throw e;
        }
        // Workers drop a block once a commit replaced it: another writer changed this part of the file (or deleted
        // the file) since this change started, so committing it could only fail the same way.
        throw new RpcException(Status.STALE, path + ": changed by another writer since this change started (a block "
            + "it read is gone: " + e.getMessage() + ")", e);
      }
    }
    Arrays.fill(b, off + held, off + len, (byte) 0);
  }

  /**
   * The dirty block at {@code index}, made on the first write to it: a copy of the bytes the base still holds
   * there, unless the write about to happen ({@code n} bytes at {@code inBlock}) covers them all.
   */
  private DirtyBlock dirtyBlock(int index, long inBlock, int n) throws IOException {
    DirtyBlock dirty = dirtyBlocks.get(index);
    if (dirty != null) {
      return dirty;
    }
    try {
      dirty = DirtyBlock.create(ctx.settings().editDir());
    } catch (IOException e) {
      throw new IOException(path + ": cannot keep a changed block in " + ctx.settings().editDir() + " ("
          + ClientKeys.EDIT_DIR.name() + "): " + e, e);
    }
    try {
      long start = start(index);
      long kept = Math.max(0, Math.min(blockSize, keptLength - start));
      if (kept > 0 && !(inBlock == 0 && n >= kept)) {
        byte[] buf = scratch();
        for (long at = 0; at < kept; ) {
          int m = (int) Math.min(buf.length, kept - at);
          readBase(start + at, buf, 0, m);
          dirty.write(at, buf, 0, m);
          at += m;
        }
      }
    } catch (IOException | RuntimeException e) {
      closeAfter(dirty, e);
      throw e;
    }
    dirtyBlocks.put(index, dirty);
    return dirty;
  }

  /**
   * The stream taking a write of {@code n} bytes at {@code inBlock} in block {@code index}, which has no temporary
   * file: its stream when the write goes on where the stream is, a new one when the write starts the block and is a
   * sequential writer's; else null, after moving a stream the write does not continue to a temporary file.
   */
  private StreamedVersion stream(int index, long inBlock, int n) throws IOException {
    StreamedVersion stream = streams.get(index);
    if (stream == null) {
      return inBlock == 0 && n >= STREAM_MIN ? streams.start(index, path) : null;
    }
    if (inBlock == stream.written() && !stream.finished()) {
      return stream;
    }
    unstream(index);
    return null;
  }

  /**
   * Moves the streams older than {@link ClientKeys#EDIT_STREAM_MAX_AGE} to temporary files: the master would drop
   * their versions before a late commit could use them.
   */
  private void expireStreams() throws IOException {
    for (int index; (index = streams.nextExpired()) >= 0; ) {
      unstream(index);
    }
  }

  /**
   * Moves block {@code index} from its stream to a temporary file: the block's bytes as the editor sees them, the
   * streamed ones read back from the version, which is then given up.
   */
  private DirtyBlock unstream(int index) throws IOException {
    try {
      BlockInfo sent = streams.giveUpFinished(index);
      DirtyBlock dirty = dirtyBlock(index, 0, 0);
      streams.readBack(sent, dirty, scratch(), path);
      return dirty;
    } catch (IOException | RuntimeException e) {
      // The block's new bytes may be lost with the version: its content can no longer be what was written.
      throw fail(e);
    }
  }

  /**
   * The version block {@code index} was streamed to, finished: what the rewrite did not reach of the block's new
   * length is sent after it first (the base's bytes there, or zeros).
   */
  private BlockInfo finish(int index, StreamedVersion stream) throws IOException {
    long start = start(index);
    long blockLength = Math.min(blockSize, length - start);
    if (stream.written() < blockLength) {
      byte[] buf = scratch();
      for (long at = stream.written(); at < blockLength; ) {
        int n = (int) Math.min(buf.length, blockLength - at);
        readBase(start + at, buf, 0, n);
        stream.write(buf, 0, n);
        at += n;
      }
    }
    return stream.finish();
  }

  /**
   * Whether block {@code index} of the new length needs a new version: it was written, it is past the base's
   * blocks, its length changes, or some of its base bytes were cut off (they now read as zeros).
   */
  private boolean mustRewrite(int index) {
    if (dirtyBlocks.containsKey(index) || streams.get(index) != null || index >= baseBlocks.size()) {
      return true;
    }
    long baseEnd = start(index) + baseBlocks.get(index).getLength();
    return baseEnd != Math.min(start(index) + blockSize, length) || baseEnd > keptLength;
  }

  /**
   * Allocates a new version of block {@code index} and writes the editor's content of that block to it, asking for
   * another placement when the first worker cannot be reached; versions not written are added to {@code abandoned}.
   *
   * @return the version written, with its length and the workers holding it
   */
  private BlockInfo writeVersion(int index, List<Long> abandoned) throws IOException {
    long start = start(index);
    long blockLength = Math.min(blockSize, length - start);
    List<Long> excluded = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      BlockInfo version = ctx.master().allocateBlockVersion(fileId, path, index, ctx.clientHost(), excluded);
      BlockWriter writer;
      try {
        writer = BlockWriter.open(ctx.workers(), version, blockSize, path, true); // native files only
      } catch (RpcException e) {
        abandoned.add(version.getBlockId());
        if (e.status() != Status.UNAVAILABLE || attempt == PLACEMENT_ATTEMPTS) {
          throw new RpcException(e.status(), path + ": cannot write a new version of block " + index + " after "
              + attempt + " placement(s): " + e.getMessage(), e);
        }
        excluded.add(version.getLocations(0).getWorkerId());
        continue;
      }
      try {
        send(writer, start, blockLength);
        writer.finish();
      } catch (IOException | RuntimeException e) {
        writer.abort();
        throw e;
      }
      return version.toBuilder().setLength(blockLength).setCached(true).build();
    }
  }

  /** Streams the editor's bytes {@code [start, start + blockLength)} to {@code writer} in pooled chunks. */
  private void send(BlockWriter writer, long start, long blockLength) throws IOException {
    byte[] buf = scratch();
    for (long at = 0; at < blockLength; ) {
      int n = (int) Math.min(buf.length, blockLength - at);
      readRange(start + at, buf, 0, n);
      ByteBuf chunk = ctx.writeChunks().acquire(n);
      chunk.writeBytes(buf, 0, n);
      writer.write(chunk); // takes the chunk
      at += n;
    }
  }

  /** Makes the committed state the new base: the versions in place of the blocks they replaced, no dirty blocks. */
  private void rebase(FileInfo committed, Map<Integer, BlockInfo> versions) throws IOException {
    int count = blockCount(length);
    List<BlockInfo> blocks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      BlockInfo v = versions.get(i);
      blocks.add(v != null ? v : baseBlocks.get(i));
    }
    info = committed;
    baseBlocks = blocks;
    baseLength = length;
    keptLength = length;
    release();
  }

  /** Closes the base stream, ends the streams and deletes the temporary files. */
  private void release() throws IOException {
    if (base != null) {
      base.close();
      base = null;
    }
    streams.clear();
    List<DirtyBlock> dropped = new ArrayList<>(dirtyBlocks.values());
    dirtyBlocks.clear();
    closeAll(dropped);
  }

  private byte[] scratch() {
    if (scratch == null) {
      scratch = new byte[(int) Math.min(ctx.settings().writeChunkSize(), blockSize)];
    }
    return scratch;
  }

  private void ensureUsable() throws IOException {
    if (failure != null) {
      throw new IOException(path + ": the editor failed earlier: " + failure.getMessage(), failure);
    }
    if (closed) {
      throw new IOException(path + ": editor closed");
    }
  }

  /** Marks the editor failed, dropping its uncommitted changes; returns the failure to throw. */
  private IOException fail(Exception e) {
    if (failure == null) {
      failure = e instanceof IOException io ? io : new IOException(path + ": " + e, e);
    }
    dropUncommitted(failure);
    try {
      release();
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
    return failure;
  }

  /** Blocks are numbered by int; the master has its own, lower, limit. */
  private void checkLength(long newLength) {
    if (newLength > 0 && (newLength - 1) / blockSize >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException(path + ": " + newLength + " bytes are more than a file can hold at the "
          + "block size " + blockSize);
    }
  }

  private int blockIndex(long pos) {
    return (int) (pos / blockSize);
  }

  private long start(int index) {
    return index * blockSize;
  }

  private int blockCount(long len) {
    return len == 0 ? 0 : (int) ((len - 1) / blockSize + 1);
  }

  private static void closeAll(Collection<DirtyBlock> blocks) throws IOException {
    IOException error = null;
    for (DirtyBlock b : blocks) {
      try {
        b.close();
      } catch (IOException e) {
        if (error == null) {
          error = e;
        } else {
          error.addSuppressed(e);
        }
      }
    }
    if (error != null) {
      throw error;
    }
  }

  private static void closeAfter(DirtyBlock block, Exception cause) {
    try {
      block.close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }
}
