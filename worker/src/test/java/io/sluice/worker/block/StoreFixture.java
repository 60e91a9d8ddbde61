package io.sluice.worker.block;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Helpers shared by the worker tests: writing whole blocks and recording what the store reports. */
public final class StoreFixture {
  private StoreFixture() {}

  /** Opens a store on {@code tiers}, where {@code @} stands for {@code dir}: default watermarks, LRU on a fake clock. */
  static BlockStore open(Path dir, String tiers) throws IOException {
    BlockStore s = new BlockStore(TierSpec.parse(tiers.replace("@", dir.toString())), false, Watermarks.DEFAULT,
        new LruPolicy(new FakeClock()));
    s.open();
    return s;
  }

  /** Writes and commits a block of {@code length} bytes, declaring exactly that length. */
  static void put(BlockStore store, long id, int length) throws RpcException {
    TempBlock b = store.create(id, length);
    append(b, length);
    b.commit();
  }

  /** Writes and commits a block of {@code length} random bytes seeded by its id; returns them. */
  public static byte[] putRandom(BlockStore store, long id, int length) throws RpcException {
    byte[] data = new byte[length];
    new Random(id).nextBytes(data);
    TempBlock b = store.create(id, length);
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    try {
      b.append(buf);
    } finally {
      buf.release();
    }
    b.commit();
    return data;
  }

  /**
   * Whether a block of {@code length} bytes can be placed now, keeping its temp block in {@code temps} (the caller
   * aborts them) so the room stays taken; false when the store answers NO_SPACE.
   */
  public static boolean roomFor(BlockStore store, long id, int length, List<TempBlock> temps) throws RpcException {
    try {
      temps.add(store.create(id, length));
      return true;
    } catch (RpcException e) {
      if (e.status() != Status.NO_SPACE) {
        throw e;
      }
      return false;
    }
  }

  static void append(TempBlock b, int length) throws RpcException {
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[length]);
    try {
      b.append(buf);
    } finally {
      buf.release();
    }
  }

  /** Records the store's reports in order, as the master link would send them. */
  static final class Recorder implements BlockListener {
    final List<Long> committed = Collections.synchronizedList(new ArrayList<>());
    final List<Long> removed = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void committed(long blockId) {
      committed.add(blockId);
    }

    @Override
    public void removed(long blockId) {
      removed.add(blockId);
    }
  }
}
