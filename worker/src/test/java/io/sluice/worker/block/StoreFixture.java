package io.sluice.worker.block;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.rpc.RpcException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Helpers shared by the block store tests: writing whole blocks and recording what the store reports. */
final class StoreFixture {
  private StoreFixture() {}

  /** Writes and commits a block of {@code length} bytes, declaring exactly that length. */
  static void put(BlockStore store, long id, int length) throws RpcException {
    TempBlock b = store.create(id, length);
    append(b, length);
    b.commit();
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
