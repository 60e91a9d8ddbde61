package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.Transport;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Short-circuit opens of missing blocks (OPEN_LOCAL_BLOCK with a UFS source): a lease once the block is read through,
 * or at once on the file being filled (follow) with WAIT_LOCAL_BLOCK for more; failures that leave no lease behind.
 */
class ShortCircuitReadThroughTest extends ReadThroughFixture {
  private io.sluice.common.proto.OpenLocalBlockResponse openLocal(RpcClient c, UfsBlockSource src)
      throws RpcException {
    io.sluice.common.proto.OpenLocalBlockRequest.Builder req =
        io.sluice.common.proto.OpenLocalBlockRequest.newBuilder().setBlockId(BLOCK);
    if (src != null) {
      req.setUfs(src);
    }
    return c.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, req.build(),
        io.sluice.common.proto.OpenLocalBlockResponse.parser());
  }

  @Test
  void aShortCircuitOpenOfAMissingBlockReadsItThroughAndLeasesTheCachedFile() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("sc", 3 * CHUNK + 11, 9);
    UfsBlockSource src = src("sc", 0, file.length);
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> openLocal(client, null)).status(),
        "without a source a missing block is not loaded");

    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    java.util.concurrent.CompletableFuture<io.sluice.common.proto.OpenLocalBlockResponse> open =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return openLocal(client, src);
          } catch (RpcException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
    Reader follower = new Reader(connect(), BLOCK, 0, -1, src, false, 1 << 20);
    ufs().awaitPaused();
    assertFalse(open.isDone(), "answered only once the block is cached");
    // The follower's request is on its way: let it join the load (a miss) before the load can finish.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (stats.misses() < 2) {
      assertTrue(System.nanoTime() < deadline, "the follower's read did not arrive within 10s");
      Thread.sleep(5);
    }
    ufs().resume();
    io.sluice.common.proto.OpenLocalBlockResponse lease = open.get(20, TimeUnit.SECONDS);
    assertEquals(file.length, lease.getLength());
    assertArrayEquals(file, Files.readAllBytes(Path.of(lease.getPath())), "the leased file is the cached block");
    assertArrayEquals(file, follower.await());
    assertEquals(1, ufs().opens.get(), "the open and the reader shared one load");
    assertEquals(2, stats.misses());
    assertEquals(file.length, store.length(BLOCK));

    assertEquals(file.length, openLocal(connect(), src).getLength(), "cached now: leased at once");
    assertEquals(1, ufs().opens.get());
    assertEquals(1, stats.hits());
  }

  private io.sluice.common.proto.OpenLocalBlockResponse follow(RpcClient c, UfsBlockSource src) throws RpcException {
    return c.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, io.sluice.common.proto.OpenLocalBlockRequest.newBuilder()
        .setBlockId(BLOCK).setUfs(src).setFollow(true).build(), io.sluice.common.proto.OpenLocalBlockResponse.parser());
  }

  private CompletableFuture<io.sluice.common.proto.WaitLocalBlockResponse> waitFor(long leaseId, long offset,
      int firstChunk) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return client.call(WorkerMethod.WAIT_LOCAL_BLOCK_VALUE, io.sluice.common.proto.WaitLocalBlockRequest
            .newBuilder().setLeaseId(leaseId).setOffset(offset).setFirstChunk(firstChunk).build(),
            io.sluice.common.proto.WaitLocalBlockResponse.parser());
      } catch (RpcException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  /** The CRC32C of each whole chunk of {@code data[0, upTo)} from chunk {@code from} on (and of a short last one). */
  private static List<Integer> sums(byte[] data, int from, long upTo) {
    List<Integer> out = new ArrayList<>();
    for (long at = (long) from * CHUNK; at < upTo && (at + CHUNK <= upTo || upTo == data.length); at += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(data, (int) at, (int) Math.min(CHUNK, data.length - at));
      out.add((int) c.getValue());
    }
    return out;
  }

  @Test
  void aFollowOpenLeasesTheFileBeingFilledAndEachWaitAnswersAsTheLoadGoes() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("fl", 5 * CHUNK + 123, 21);
    UfsBlockSource src = src("fl", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(2 * CHUNK + 100);
    io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src);
    ufs().awaitPaused();
    assertTrue(lease.getLoading(), "answered while the block loads");
    assertEquals(file.length, lease.getLength());
    long available = lease.getAvailable();
    assertTrue(available <= 2 * CHUNK + 100, "no more than the UFS gave: " + available);
    assertEquals(sums(file, 0, available), lease.getChunkCrcsList(), "the sums of the whole chunks in the file");
    byte[] head = new byte[(int) available];
    try (RandomAccessFile f = new RandomAccessFile(lease.getPath(), "r")) {
      f.readFully(head);
    }
    assertArrayEquals(Arrays.copyOf(file, head.length), head, "the leased file holds what the load wrote");

    int known = lease.getChunkCrcsCount();
    CompletableFuture<io.sluice.common.proto.WaitLocalBlockResponse> rest = waitFor(lease.getLeaseId(), 4 * CHUNK,
        known);
    Thread.sleep(200);
    assertFalse(rest.isDone(), "a wait for bytes the UFS has not given is not answered");
    ufs().resume();
    io.sluice.common.proto.WaitLocalBlockResponse more = rest.get(20, TimeUnit.SECONDS);
    assertTrue(more.getAvailable() >= 4 * CHUNK, "answered once the file holds the bytes asked for");
    assertEquals(sums(file, known, more.getAvailable()), more.getChunkCrcsList());
    known += more.getChunkCrcsCount();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    io.sluice.common.proto.WaitLocalBlockResponse end = waitFor(lease.getLeaseId(), file.length, known)
        .get(20, TimeUnit.SECONDS);
    assertFalse(end.getLoading(), "the load ended");
    assertEquals(file.length, end.getAvailable());
    assertEquals(sums(file, known, file.length), end.getChunkCrcsList(), "every remaining sum, the short last too");
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)));
    assertEquals(store.path(BLOCK).toAbsolutePath().toString(), lease.getCommittedPath(),
        "the lease named where the load puts the file");
    assertFalse(Files.exists(Path.of(lease.getPath())), "the temp file was renamed there");
    assertEquals(1, ufs().opens.get());
    assertEquals(1, stats.misses());
    assertEquals(1, shortCircuit.held(), "the lease outlives the load");
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> client.call(
        WorkerMethod.WAIT_LOCAL_BLOCK_VALUE, io.sluice.common.proto.WaitLocalBlockRequest.newBuilder()
            .setLeaseId(openLocal(client, null).getLeaseId()).build(),
        io.sluice.common.proto.WaitLocalBlockResponse.parser())).status(), "a plain lease has nothing to wait for");
    assertEquals(2, shortCircuit.held());
    client.close();
    await(() -> shortCircuit.held() == 0, "the connection's leases to end with it");
  }

  /** A slow UFS never runs a follower's wait into its call timeout: the worker answers with what the file holds. */
  @Test
  void aWaitTheLoadDoesNotReachIsAnsweredWithWhatTheFileHoldsAfterTheLoadWait() throws Exception {
    loadWait = Duration.ofMillis(300);
    start(Transport.NIO);
    byte[] file = ufsFile("slowf", 4 * CHUNK, 23);
    mounts.get(1);
    ufs().pauseAfter(CHUNK + 10);
    io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src("slowf", 0, file.length));
    ufs().awaitPaused();
    io.sluice.common.proto.WaitLocalBlockResponse r = waitFor(lease.getLeaseId(), file.length,
        lease.getChunkCrcsCount()).get(20, TimeUnit.SECONDS);
    assertTrue(r.getLoading());
    assertTrue(r.getAvailable() < file.length, "answered before the bytes asked for: " + r.getAvailable());
    assertEquals(sums(file, lease.getChunkCrcsCount(), r.getAvailable()), r.getChunkCrcsList());
    ufs().resume();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)));
  }

  @Test
  void closingAFollowLeaseFailsItsPendingWaitAndLetsTheLoadFinish() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("closef", 4 * CHUNK, 24);
    mounts.get(1);
    ufs().pauseAfter(CHUNK + 10);
    io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src("closef", 0, file.length));
    ufs().awaitPaused();
    CompletableFuture<io.sluice.common.proto.WaitLocalBlockResponse> pending = waitFor(lease.getLeaseId(),
        file.length, 0);
    Thread.sleep(100);  // let the wait reach the worker; if it comes after the close it is NOT_FOUND all the same
    client.call(WorkerMethod.CLOSE_LOCAL_BLOCK_VALUE, io.sluice.common.proto.CloseLocalBlockRequest.newBuilder()
        .setLeaseId(lease.getLeaseId()).build(), io.sluice.common.proto.CloseLocalBlockResponse.parser());
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> pending.get(20, TimeUnit.SECONDS));
    assertEquals(Status.NOT_FOUND, ((RpcException) e.getCause()).status());
    assertEquals(0, shortCircuit.held());
    ufs().resume();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)), "cached with nobody following");
  }

  @Test
  void aFollowOpenOfAChangedUfsFileGetsTheLoadsStaleAndHoldsNothing() throws Exception {
    start(Transport.NIO);
    ufsFile("chg", 3 * CHUNK, 22);
    UfsBlockSource src = src("chg", 0, 3 * CHUNK).toBuilder().setFingerprint("1@0#old").build();
    RpcException e = assertThrows(RpcException.class, () -> {
      io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src);
      // Answered before the load found the change: the wait gets its error.
      try {
        waitFor(lease.getLeaseId(), 1, 0).get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException ee) {
        throw (RpcException) ee.getCause();
      }
    });
    assertEquals(Status.STALE, e.status());
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertNotHeld();
  }

  @Test
  void aShortCircuitOpenOfAChangedUfsFileIsStaleAndKeepsNothing() throws Exception {
    start(Transport.NIO);
    ufsFile("old", 1000, 10);
    UfsBlockSource src = src("old", 0, 1000).toBuilder().setFingerprint("1000@0#old").build();
    assertEquals(Status.STALE, assertThrows(RpcException.class, () -> openLocal(client, src)).status());
    assertNotHeld();
  }

  @Test
  void aShortCircuitOpenWaitingTooLongForTheLoadIsToldToReadRemotelyAndHoldsNoLease() throws Exception {
    loadWait = Duration.ofMillis(200);
    start(Transport.NIO);
    byte[] file = ufsFile("slow", 3 * CHUNK, 11);
    UfsBlockSource src = src("slow", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    RpcException e = assertThrows(RpcException.class, () -> openLocal(client, src));
    assertEquals(Status.NOT_FOUND, e.status());
    assertTrue(e.getMessage().contains("still being cached"), e.getMessage());
    ufs().resume();
    assertArrayEquals(file, read(0, -1, src), "the remote read joins the load");
    assertEquals(1, ufs().opens.get());
    assertEquals(file.length, store.length(BLOCK));
    assertEquals(0, shortCircuit.held(), "no lease was left behind");
  }
}
