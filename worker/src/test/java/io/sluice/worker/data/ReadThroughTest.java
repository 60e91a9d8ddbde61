package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.StreamListener;
import io.sluice.common.rpc.Transport;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.LruPolicy;
import io.sluice.worker.block.ReadLease;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.block.TierSpec;
import io.sluice.worker.block.Watermarks;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** UFS read-through of missing blocks over the block RPC (READ_BLOCK): what is read, kept, reported, refused. */
class ReadThroughTest extends ReadThroughFixture {
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aColdReadStreamsTheUfsBytesAndKeepsTheBlock(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("f", 3 << 20, 1);
    long offset = 1 << 20;
    int length = 5 * CHUNK + 777;
    UfsBlockSource src = src("f", offset, length);

    assertArrayEquals(slice(file, offset, length), read(0, -1, src));
    assertEquals(length, store.length(BLOCK), "committed before the reader was answered");
    await(() -> reported.contains(BLOCK), "reported to the master like a written block (after waking the reader)");
    assertEquals(1, ufs().opens.get());
    assertEquals(length, stats.ufsBytesRead());
    assertEquals(1, stats.misses());
    assertEquals(0, stats.hits());
    // This server sends zero copy, read-through frames too (under TLS they are copies: TlsDataServerTest).
    await(() -> traffic.bytesSentZeroCopy() == length, "the read-through frames sent as regions");

    Files.delete(ufsRoot.resolve("f"));
    assertArrayEquals(slice(file, offset, length), read(0, -1, src), "served from the cache");
    assertArrayEquals(slice(file, offset + 10, 1000), read(10, 1000, src));
    assertEquals(1, ufs().opens.get());
    assertEquals(1, stats.misses());
    assertEquals(2, stats.hits());
    await(() -> readThrough.loadsRunning() == 0, "the load to leave the registry after waking its readers");
  }

  /**
   * A local UFS's stream is a channel too, read into a kept direct buffer; S3's and HDFS's are streams only: loads
   * from either keep the same bytes and checksums, and a second load on the same buffers its own bytes.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aLoadKeepsTheUfsBytesAndTheirChecksumsFromAChannelOrAStream(boolean streamsOnly) throws Exception {
    start(Transport.NIO);
    mounts.get(1);
    if (streamsOnly) {
      ufs().streamsOnly();
    }
    byte[] first = ufsFile("k1", 20 * CHUNK + 333, 9);
    byte[] second = ufsFile("k2", 7 * CHUNK + 5, 10);
    assertArrayEquals(first, read(0, -1, src("k1", 0, first.length)));
    await(() -> readThrough.loadsRunning() == 0, "the first load to end");
    assertArrayEquals(second, new Reader(client, BLOCK + 1, 0, -1, src("k2", 0, second.length), false, 1 << 20)
        .await());
    await(() -> readThrough.loadsRunning() == 0, "the second load to end");
    for (long block : new long[] {BLOCK, BLOCK + 1}) {
      byte[] expected = block == BLOCK ? first : second;
      assertArrayEquals(expected, Files.readAllBytes(store.path(block)));
      try (ReadLease lease = store.openRead(block)) {
        assertArrayEquals(ChunkChecksums.of(ByteBuffer.wrap(expected)), store.checksums(lease));
      }
    }
    assertEquals(first.length + second.length, stats.ufsBytesRead(), "counted either way");
    assertEquals(streamsOnly, ufs().channelReads.get() == 0, "read as a channel where the UFS offers one");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aRangeInTheMiddleOfAMissingBlockIsServedAndTheWholeBlockKept(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("dir-less-name", 4 * CHUNK + 5, 2);
    UfsBlockSource src = src("dir-less-name", 0, file.length);
    assertArrayEquals(slice(file, CHUNK + 3, 2 * CHUNK + 1), read(CHUNK + 3, 2 * CHUNK + 1, src));
    // A range that ends before the block's end is answered once its bytes are sent; the load commits after.
    await(() -> store.contains(BLOCK), "the load to commit the whole block");
    assertEquals(file.length, store.length(BLOCK));
    Files.delete(ufsRoot.resolve("dir-less-name"));
    assertArrayEquals(file, read(0, -1, src));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void concurrentReadersOfAMissingBlockShareOneUfsRead(Transport t) throws Exception {
    start(t);
    Files.createDirectories(ufsRoot.resolve("sub"));
    byte[] file = ufsFile("sub/g", 6 * CHUNK + 1, 3);
    UfsBlockSource src = src("sub/g", 0, file.length);
    mounts.get(1).getStatus(io.sluice.ufs.UfsPath.ROOT); // open the connector, to hold its streams
    ufs().pauseAfter(0);
    List<Reader> readers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      RpcClient c = i % 2 == 0 ? connect() : client;
      long from = i * 1000L;
      readers.add(new Reader(c, BLOCK, from, -1, src, false, 1 << 20));
    }
    // Every reader has joined once each is counted as a miss; the load is still held at byte 0.
    await(() -> stats.misses() == 6, "six readers to join");
    ufs().awaitPaused();
    ufs().resume();
    for (int i = 0; i < readers.size(); i++) {
      assertArrayEquals(slice(file, i * 1000L, file.length - i * 1000L), readers.get(i).await());
    }
    assertEquals(1, ufs().opens.get(), "one UFS read for all readers");
    assertEquals(file.length, stats.ufsBytesRead());
    assertEquals(0, stats.hits());
    assertEquals(file.length, store.length(BLOCK));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void readersGetTheFirstChunksBeforeTheLoadEnds(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("h", 8 * CHUNK, 4);
    UfsBlockSource src = src("h", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(2 * CHUNK + 100);
    Reader r = new Reader(client, BLOCK, 0, -1, src, false, 1 << 20);
    assertEquals(0L, r.offsets.poll(20, TimeUnit.SECONDS));
    assertEquals((long) CHUNK, r.offsets.poll(20, TimeUnit.SECONDS));
    ufs().awaitPaused();
    assertFalse(r.stream.response().isDone());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(BLOCK)).status());
    ufs().resume();
    assertArrayEquals(file, r.await());
    assertEquals(file.length, store.length(BLOCK));
  }

  /** A load writes over a freed MEM file full of another block's bytes: followers must see only the new ones. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void followersOfALoadOntoAReusedMemFileReadOnlyWhatTheLoadWrote(Transport t) throws Exception {
    start(t, new BlockStore(TierSpec.parse("MEM:" + dir.resolve("store") + ":" + (64 << 20)), false,
        Watermarks.DEFAULT, new LruPolicy(Clock.systemUTC())));
    byte[] file = ufsFile("m", 8 * CHUNK, 17);
    byte[] stale = new byte[file.length];
    Arrays.fill(stale, (byte) 0x5a);
    TempBlock old = store.create(BLOCK + 1, stale.length);
    ByteBuf buf = Unpooled.wrappedBuffer(stale);
    try {
      old.append(buf);
    } finally {
      buf.release();
    }
    old.commit();
    Object inode = Files.getAttribute(store.path(BLOCK + 1), "unix:ino");
    store.delete(BLOCK + 1); // pooled: the next block in the directory is written over it
    UfsBlockSource src = src("m", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(2 * CHUNK + 100);
    Reader r = new Reader(client, BLOCK, 0, -1, src, false, 1 << 20);
    ufs().awaitPaused();
    assertEquals(inode, Files.getAttribute(tempFile(), "unix:ino"), "the load writes over the freed file");
    ufs().resume();
    assertArrayEquals(file, r.await());
    assertEquals(file.length, Files.size(store.path(BLOCK)));
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)));
  }

  private Path tempFile() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("store").resolve("tmp"))) {
      return s.findFirst().orElseThrow();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aFollowerSendsOnlyWhatTheClientGranted(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("c", 4 * CHUNK, 5);
    Reader r = new Reader(client, BLOCK, 0, -1, src("c", 0, file.length), false, 1);
    assertEquals(0L, r.offsets.poll(20, TimeUnit.SECONDS));
    await(() -> readThrough.loadsRunning() == 0, "the load to end"); // so all bytes could be sent
    // Barrier: the server handles this call after anything it would have sent for the stream.
    assertThrows(RpcException.class, () -> client.call(99, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    assertTrue(r.offsets.isEmpty(), "the worker sent past its credit");
    r.stream.grant(3);
    assertArrayEquals(file, r.await());
  }

  @Test
  void aUfsFileShorterThanTheBlockIsStaleAndNothingIsKept() throws Exception {
    start(Transport.NIO);
    ufsFile("short", 100_000, 6);
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src("short", 0, 200_000)));
    assertEquals(Status.STALE, e.status());
    assertTrue(e.getMessage().contains("the UFS file changed"), e.getMessage());
    assertNotHeld();
    assertEquals(0, stats.ufsErrors(), "a changed file is no store failure");
  }

  @Test
  void aUfsFileThatShrinksDuringTheLoadIsStaleAndNothingIsKept() throws Exception {
    start(Transport.NIO);
    ufsFile("shrinks", 5 * CHUNK, 7);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    Reader r = new Reader(client, BLOCK, 0, -1, src("shrinks", 0, 5 * CHUNK), false, 1 << 20);
    ufs().awaitPaused();
    try (RandomAccessFile f = new RandomAccessFile(ufsRoot.resolve("shrinks").toFile(), "rw")) {
      f.setLength(2 * CHUNK);
    }
    ufs().resume();
    RpcException e = assertThrows(RpcException.class, r::await);
    assertEquals(Status.STALE, e.status());
    assertTrue(e.getMessage().contains("the UFS file changed"), e.getMessage());
    assertNotHeld();
  }

  @Test
  void aFileWithAnotherFingerprintIsStale() throws Exception {
    start(Transport.NIO);
    ufsFile("fp", 1000, 8);
    UfsBlockSource src = src("fp", 0, 1000).toBuilder().setFingerprint("1000@0#old").build();
    assertEquals(Status.STALE, assertThrows(RpcException.class, () -> read(0, -1, src)).status());
    assertNotHeld();
    String now = mounts.get(1).getStatus(io.sluice.ufs.UfsPath.parse("fp")).orElseThrow().fingerprint();
    assertEquals(1000, read(0, -1, src.toBuilder().setFingerprint(now).build()).length);
  }

  @Test
  void aDeletedFileIsStale() throws Exception {
    start(Transport.NIO);
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src("never", 0, 10)));
    assertEquals(Status.STALE, e.status());
    assertNotHeld();
  }

  @Test
  void aUfsWhoseRootIsGoneIsAUfsErrorAndNothingIsKept() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("a", 1000, 9);
    assertArrayEquals(file, new Reader(client, 1, 0, -1, src("a", 0, 1000), false, 8).await());
    try (Stream<Path> all = Files.walk(ufsRoot)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src("a", 0, 1000)));
    assertEquals(Status.UFS_ERROR, e.status());
    assertNotHeld();
    assertEquals(1, stats.ufsErrors());
  }

  @Test
  void anUnknownMountIsStale() throws Exception {
    start(Transport.NIO);
    UfsBlockSource src = src("a", 0, 10).toBuilder().setMountId(42).build();
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src));
    assertEquals(Status.STALE, e.status());
    assertEquals("mount 42 is gone", e.getMessage());
    assertNotHeld();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void noCacheStreamsFromTheUfsAndKeepsNothing(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("n", 3 * CHUNK + 11, 10);
    UfsBlockSource src = src("n", 100, file.length - 200);
    assertArrayEquals(slice(file, 100, file.length - 200), readUncached(0, -1, src));
    assertArrayEquals(slice(file, 100 + CHUNK - 5, CHUNK + 10), readUncached(CHUNK - 5, CHUNK + 10, src));
    assertNotHeld();
    assertEquals(2, ufs().opens.get(), "nothing cached: each read goes to the UFS");
    assertEquals(2, stats.misses());
    assertEquals(file.length - 200 + CHUNK + 10, stats.ufsBytesRead(), "read before sent");
  }

  @Test
  void anUncachedReadSendsOnlyWhatTheClientGranted() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("u", 4 * CHUNK, 11);
    Reader r = new Reader(client, BLOCK, 0, -1, src("u", 0, file.length), true, 1);
    assertEquals(0L, r.offsets.poll(20, TimeUnit.SECONDS));
    assertThrows(RpcException.class, () -> client.call(99, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    assertTrue(r.offsets.isEmpty(), "the worker sent past its credit");
    r.stream.grant(3);
    assertArrayEquals(file, r.await());
  }

  @Test
  void aReaderWithAnotherSourceThanTheRunningLoadReadsItsOwn() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("v", 4 * CHUNK, 16);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    Reader loading = new Reader(client, BLOCK, 0, -1, src("v", 0, 3 * CHUNK), false, 1 << 20);
    ufs().awaitPaused();
    ufs().stopPausing(); // the second reader's own UFS stream runs freely
    assertArrayEquals(slice(file, CHUNK, 3 * CHUNK), new Reader(client, BLOCK, 0, -1, src("v", CHUNK, 3 * CHUNK),
        false, 1 << 20).await());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(BLOCK)).status());
    ufs().resume();
    assertArrayEquals(slice(file, 0, 3 * CHUNK), loading.await());
    assertEquals(3 * CHUNK, store.length(BLOCK));
    assertEquals(2, ufs().opens.get());
  }

  @Test
  void withNoRoomInTheStoreTheBlockIsStreamedWithoutKeepingIt() throws Exception {
    start(Transport.NIO, 100_000);
    byte[] file = ufsFile("big", 300_000, 12);
    assertArrayEquals(file, read(0, -1, src("big", 0, file.length)));
    assertNotHeld();
    assertEquals(1, stats.misses());
  }

  @Test
  void aReaderLeavingDoesNotStopTheLoadOthersFollow() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("l", 6 * CHUNK, 13);
    UfsBlockSource src = src("l", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    RpcClient leaving = connect();
    Reader first = new Reader(leaving, BLOCK, 0, -1, src, false, 1 << 20);
    ufs().awaitPaused();
    Reader second = new Reader(client, BLOCK, 0, -1, src, false, 1 << 20);
    await(() -> stats.misses() == 2, "the second reader to join");
    leaving.close();
    assertThrows(RpcException.class, first::await);
    ufs().resume();
    assertArrayEquals(file, second.await());
    assertEquals(file.length, store.length(BLOCK));
    assertEquals(1, ufs().opens.get());
  }

  @Test
  void aLoadWithNoReadersLeftStillCachesTheBlock() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("o", 6 * CHUNK, 14);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    RpcClient leaving = connect();
    Reader r = new Reader(leaving, BLOCK, 0, -1, src("o", 0, file.length), false, 1 << 20);
    ufs().awaitPaused();
    r.stream.cancel();
    leaving.close();
    ufs().resume();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertEquals(file.length, store.length(BLOCK));
    Files.delete(ufsRoot.resolve("o"));
    assertArrayEquals(file, read(0, -1, src("o", 0, file.length)));
  }

  @Test
  void aReadWithoutAUfsSourceOfAMissingBlockIsStillNotFound() throws Exception {
    start(Transport.NIO);
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder()
        .setBlockId(BLOCK).setLength(-1).build(), 1, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            frame.release();
          }
        });
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> RpcClient.await(s.response())).status());
    assertEquals(0, stats.misses());
  }

  @Test
  void aRangeOutsideTheUfsBlockIsRefused() throws Exception {
    start(Transport.NIO);
    ufsFile("r", 1000, 15);
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class,
        () -> read(500, 501, src("r", 0, 1000))).status());
    assertEquals(0, created.size(), "refused before touching the UFS");
  }

}
