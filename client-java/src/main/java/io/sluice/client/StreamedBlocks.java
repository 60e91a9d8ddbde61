package io.sluice.client;

import io.sluice.client.block.BlockReader;
import io.sluice.client.block.BlockWriter;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The blocks of one {@link FileEditor} being rewritten straight to new versions ({@link StreamedVersion}), by block
 * index, and the versions the editor gave up since its last commit (streams it moved to temporary files), which the
 * commit drops. Streams older than {@link ClientKeys#EDIT_STREAM_MAX_AGE} are handed back for moving ({@link
 * #nextExpired}): the master drops versions left uncommitted too long. A worker that cannot take a stream turns
 * streaming off. Not thread-safe: the editor's lock guards it.
 */
final class StreamedBlocks {
  private final StreamContext ctx;
  private final long fileId;
  private final long blockSize;
  private final long maxAgeNanos;
  private final TreeMap<Integer, StreamedVersion> streams = new TreeMap<>();
  /** The streams in the order they started, oldest first (some may have ended since). */
  private final ArrayDeque<StreamedVersion> started = new ArrayDeque<>();
  private final List<Long> givenUp = new ArrayList<>();
  private boolean off;

  StreamedBlocks(StreamContext ctx, long fileId, long blockSize) {
    this.ctx = ctx;
    this.fileId = fileId;
    this.blockSize = blockSize;
    this.maxAgeNanos = ctx.settings().editStreamMaxAge().toNanos();
    this.off = maxAgeNanos == 0;
  }

  boolean isEmpty() {
    return streams.isEmpty();
  }

  /** The stream of block {@code index}, or null. */
  StreamedVersion get(int index) {
    return streams.get(index);
  }

  /**
   * A stream of a new version of block {@code index} of the file at {@code path}; null when streaming is off, or
   * when no worker takes it, which turns streaming off (the block then goes to a temporary file, whose commit tries
   * other placements).
   */
  StreamedVersion start(int index, String path) throws RpcException {
    if (off) {
      return null;
    }
    BlockInfo version = ctx.master().allocateBlockVersion(fileId, path, index, ctx.clientHost(), List.of());
    BlockWriter writer;
    try {
      writer = BlockWriter.open(ctx.workers(), version, blockSize, path, true);
    } catch (RpcException e) {
      givenUp.add(version.getBlockId());
      if (e.status() != Status.UNAVAILABLE) {
        throw e;
      }
      off = true;
      return null;
    } catch (RuntimeException e) {
      givenUp.add(version.getBlockId());
      throw e;
    }
    StreamedVersion stream = new StreamedVersion(index, version, writer, ctx.writeChunks(),
        (int) Math.min(ctx.settings().writeChunkSize(), blockSize));
    streams.put(index, stream);
    started.addLast(stream);
    return stream;
  }

  /**
   * The index of a stream older than the max age, for the editor to move to a temporary file; -1 when there is none.
   * Streams start in order, so only the oldest are looked at.
   */
  int nextExpired() {
    for (StreamedVersion oldest; (oldest = started.peekFirst()) != null; ) {
      boolean live = streams.get(oldest.index()) == oldest;
      if (live && oldest.ageNanos() <= maxAgeNanos) {
        return -1;
      }
      started.pollFirst();
      if (live) {
        return oldest.index();
      }
    }
    return -1;
  }

  /**
   * Takes block {@code index}'s stream out and gives its version up, finished first: the version as sent, to read
   * its bytes back from ({@link #readBack}).
   */
  BlockInfo giveUpFinished(int index) throws RpcException {
    StreamedVersion stream = streams.remove(index);
    try {
      return stream.finish();
    } finally {
      giveUp(stream);
    }
  }

  /** Copies the bytes of {@code sent} into {@code dirty}, through {@code buf}. */
  void readBack(BlockInfo sent, DirtyBlock dirty, byte[] buf, String path) throws IOException {
    long length = sent.getLength();
    try (BlockReader r = BlockReader.open(ctx.workers(), ctx.fallThrough(), sent, 0, length, ctx.read(), path)) {
      for (long at = 0; at < length; ) {
        int n = r.read(buf, 0, (int) Math.min(buf.length, length - at));
        if (n < 0) {
          throw new EOFException(path + ": block version " + sent.getBlockId() + " ended at " + at + " of " + length
              + " bytes");
        }
        dirty.write(at, buf, 0, n);
        at += n;
      }
    }
  }

  /** Gives up the streams of block {@code index} and after (a truncate cut them). */
  void cutFrom(int index) {
    var cut = streams.tailMap(index, true);
    cut.values().forEach(this::giveUp);
    cut.clear();
  }

  /** Moves the versions given up so far to {@code abandoned}. */
  void takeGivenUp(List<Long> abandoned) {
    abandoned.addAll(givenUp);
    givenUp.clear();
  }

  /** The versions given up and those of every stream: what is not committed if the editor stops now. */
  List<Long> takeUncommitted() {
    List<Long> versions = new ArrayList<>();
    takeGivenUp(versions);
    streams.values().forEach(s -> versions.add(s.blockId()));
    return versions;
  }

  /** Aborts the streams not finished and forgets them all. */
  void clear() {
    streams.values().forEach(StreamedVersion::abort);
    streams.clear();
    started.clear();
  }

  private void giveUp(StreamedVersion stream) {
    stream.abort();
    givenUp.add(stream.blockId());
  }
}
