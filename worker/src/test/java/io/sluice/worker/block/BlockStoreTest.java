package io.sluice.worker.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockStoreTest {
  @TempDir
  Path dir;

  private static void write(TempBlock b, byte[] data) throws RpcException {
    var buf = Unpooled.wrappedBuffer(data);
    try {
      b.append(buf);
    } finally {
      buf.release();
    }
  }

  @Test
  void commitMakesABlockVisibleAndImmutable() throws Exception {
    BlockStore store = new BlockStore(dir, 1 << 20, true);
    store.open();
    List<Long> committed = new ArrayList<>();
    store.setListener(new BlockListener() {
      @Override
      public void committed(long id) {
        committed.add(id);
      }

      @Override
      public void removed(long id) {}
    });
    TempBlock b = store.create(7, 1000);
    write(b, new byte[] {1, 2, 3});
    assertThrows(RpcException.class, () -> store.length(7), "invisible before commit");
    b.commit();
    assertEquals(3, store.length(7));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(store.path(7)));
    assertEquals(List.of(7L), committed);
    assertEquals(Status.ALREADY_EXISTS, assertThrows(RpcException.class, () -> store.create(7, 10)).status());
    assertEquals(3, store.used());
  }

  @Test
  void reservationsNeverExceedCapacity() throws Exception {
    BlockStore store = new BlockStore(dir, 100, false);
    store.open();
    TempBlock a = store.create(1, 60);
    assertEquals(Status.NO_SPACE, assertThrows(RpcException.class, () -> store.create(2, 60)).status());
    write(a, new byte[10]);
    a.commit(); // the unused 50 bytes of the reservation come back
    TempBlock c = store.create(3, 90);
    c.abort();
    assertEquals(10, store.used());
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> {
      TempBlock d = store.create(4, 5);
      try {
        write(d, new byte[6]);
      } finally {
        d.abort();
      }
    }).status());
  }

  @Test
  void abortLeavesNoTempFile() throws Exception {
    BlockStore store = new BlockStore(dir, 1000, false);
    store.open();
    TempBlock b = store.create(9, 100);
    write(b, new byte[50]);
    b.abort();
    try (var s = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, s.count());
    }
    assertThrows(RpcException.class, () -> store.length(9));
  }

  @Test
  void reopenDropsUnfinishedWritesAndFindsCommittedBlocks() throws Exception {
    BlockStore store = new BlockStore(dir, 1000, false);
    store.open();
    TempBlock done = store.create(1, 100);
    write(done, new byte[40]);
    done.commit();
    TempBlock crashed = store.create(2, 100);
    write(crashed, new byte[20]); // never ended: as after a crash

    BlockStore again = new BlockStore(dir, 1000, false);
    again.open();
    assertArrayEquals(new long[] {1}, again.blockIds());
    assertEquals(40, again.used());
    try (var s = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, s.count());
    }
    crashed.abort();
  }

  @Test
  void deleteRemovesTheFileAndFreesSpace() throws Exception {
    BlockStore store = new BlockStore(dir, 1000, false);
    store.open();
    TempBlock b = store.create(5, 100);
    write(b, new byte[30]);
    b.commit();
    Path file = store.path(5);
    assertTrue(store.delete(5));
    assertFalse(Files.exists(file));
    assertEquals(0, store.used());
    assertFalse(store.delete(5));
  }
}
