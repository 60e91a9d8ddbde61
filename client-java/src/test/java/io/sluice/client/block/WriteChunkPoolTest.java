package io.sluice.client.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reuse, its bound and its safety: a chunk anyone still references is never handed out again. */
class WriteChunkPoolTest {
  private static final int CHUNK = 64 * 1024;

  @Test
  void aReleasedChunkIsReusedForTheNext() {
    try (WriteChunkPool pool = new WriteChunkPool(CHUNK, 4 * CHUNK)) {
      long address = -1;
      for (int i = 0; i < 10; i++) {
        ByteBuf c = pool.acquire(CHUNK);
        assertEquals(0, c.readableBytes());
        assertEquals(CHUNK, c.writableBytes());
        c.writeZero(CHUNK);
        if (i == 0) {
          address = c.memoryAddress();
        }
        assertEquals(address, c.memoryAddress(), "chunk " + i);
        c.release();
      }
      assertEquals(1, pool.created());
      assertEquals(0, pool.fallbacks());
    }
  }

  @Test
  void aChunkStillReferencedIsNotReused() {
    try (WriteChunkPool pool = new WriteChunkPool(CHUNK, 4 * CHUNK)) {
      ByteBuf first = pool.acquire(CHUNK);
      first.writeLong(0x5eed);
      // Someone else keeps it (the transport still sending it, a forwarder keeping it to send again): the writer's
      // release does not free it.
      ByteBuf kept = first.retainedDuplicate();
      first.release();

      ByteBuf second = pool.acquire(CHUNK);
      assertNotEquals(kept.memoryAddress(), second.memoryAddress());
      second.writeLong(-1);
      assertEquals(0x5eed, kept.getLong(0), "the kept chunk's bytes are untouched");
      assertEquals(2, pool.created());
      second.release();

      kept.release();
      ByteBuf third = pool.acquire(CHUNK);
      assertEquals(kept.memoryAddress(), third.memoryAddress(), "free again once its last holder released it");
      third.release();
      assertEquals(2, pool.created());
    }
  }

  @Test
  void aShorterChunkIsCutToItsSize() {
    try (WriteChunkPool pool = new WriteChunkPool(CHUNK, CHUNK)) {
      ByteBuf c = pool.acquire(4096);
      assertEquals(4096, c.capacity());
      assertEquals(4096, c.maxCapacity());
      c.writeZero(4096);
      assertFalse(c.isWritable());
      c.release();
      assertThrows(IllegalArgumentException.class, () -> pool.acquire(CHUNK + 1));
    }
  }

  @Test
  void beyondItsBoundChunksComeFromTheDefaultAllocator() {
    try (WriteChunkPool pool = new WriteChunkPool(CHUNK, 2 * CHUNK + CHUNK / 2)) {
      List<ByteBuf> held = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        held.add(pool.acquire(CHUNK));
      }
      assertEquals(2, pool.created());
      assertEquals(3, pool.fallbacks());
      held.forEach(ByteBuf::release);
      pool.acquire(CHUNK).release();
      assertEquals(2, pool.created());
      assertEquals(3, pool.fallbacks());
    }
    try (WriteChunkPool off = new WriteChunkPool(CHUNK, 0)) {
      off.acquire(CHUNK).release();
      assertEquals(0, off.created());
      assertEquals(1, off.fallbacks());
    }
  }

  @Test
  void closeFreesFreeBuffersAndLeavesChunksInFlightUsable() {
    WriteChunkPool pool = new WriteChunkPool(CHUNK, 4 * CHUNK);
    ByteBuf inFlight = pool.acquire(CHUNK);
    ByteBuf inFlightRoot = inFlight.unwrap();
    ByteBuf idle = pool.acquire(CHUNK);
    ByteBuf idleRoot = idle.unwrap();
    idle.release();
    assertEquals(2, pool.created());
    pool.close();
    pool.close();
    assertEquals(0, idleRoot.refCnt(), "freed at close");
    assertEquals(1, inFlightRoot.refCnt());
    inFlight.writeLong(1);
    inFlight.release();
    assertEquals(0, inFlightRoot.refCnt(), "freed by its last release");
    ByteBuf after = pool.acquire(CHUNK);
    assertEquals(1, pool.fallbacks());
    after.release();
  }
}
