package io.sluice.worker.ufs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.UnderFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's mount table: fetched on an unknown id, one fetch at a time, connectors opened and closed with it. */
class UfsMountsTest {
  @TempDir
  Path dir;

  private final List<CountingUfs> created = CountingUfs.list();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile List<MountInfo> table = List.of();
  private UfsMounts mounts;

  private MountInfo mount(long id, String name) throws Exception {
    Path root = Files.createDirectories(dir.resolve(name));
    return MountInfo.newBuilder().setMountId(id).setPath("/" + name).setUfsUri(root.toUri().toString()).build();
  }

  private UfsMounts start(MountTableSource source) {
    mounts = new UfsMounts(source, CountingUfs.registry(created));
    return mounts;
  }

  private UfsMounts start() {
    return start(() -> {
      fetches.incrementAndGet();
      return table;
    });
  }

  @AfterEach
  void close() {
    if (mounts != null) {
      mounts.close();
    }
  }

  @Test
  void aKnownMountIsServedWithoutFetchingAgain() throws Exception {
    table = List.of(mount(1, "a"));
    start();
    UnderFileSystem ufs = mounts.get(1);
    assertSame(ufs, mounts.get(1));
    assertEquals(1, fetches.get());
    assertEquals(1, created.size());
    assertEquals(dir.resolve("a").toRealPath().toUri(), ufs.root());
  }

  @Test
  void concurrentAskersOfAnUnknownMountShareOneFetch() throws Exception {
    table = List.of(mount(1, "a"));
    CountDownLatch fetching = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    start(() -> {
      fetches.incrementAndGet();
      fetching.countDown();
      try {
        answer.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return table;
    });
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<UnderFileSystem>> asks = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        asks.add(pool.submit(() -> mounts.get(1)));
      }
      assertTrue(fetching.await(20, TimeUnit.SECONDS));
      answer.countDown();
      UnderFileSystem first = asks.get(0).get(20, TimeUnit.SECONDS);
      for (Future<UnderFileSystem> f : asks) {
        assertSame(first, f.get(20, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    // Askers that came after the fetch ended find the mount in the table: never a second fetch.
    assertEquals(1, fetches.get());
  }

  @Test
  void aMountMissingAfterAFetchIsStale() throws Exception {
    table = List.of(mount(1, "a"));
    start();
    RpcException e = assertThrows(RpcException.class, () -> mounts.get(7));
    assertEquals(Status.STALE, e.status());
    assertEquals("mount 7 is gone", e.getMessage());
    assertThrows(RpcException.class, () -> mounts.get(7));
    assertEquals(2, fetches.get(), "each ask for an unknown id looks again: the mount may be new");
  }

  @Test
  void aFetchClosesTheConnectorsOfMountsNoLongerListed() throws Exception {
    MountInfo a = mount(1, "a");
    MountInfo b = mount(2, "b");
    table = List.of(a, b);
    start();
    mounts.get(1);
    mounts.get(2);
    assertEquals(2, created.size());
    table = List.of(b, mount(3, "c"));
    mounts.get(3); // unknown: fetches the new table
    assertEquals(1, created.get(0).closes.get(), "mount 1 was removed");
    assertEquals(0, created.get(1).closes.get());
    assertEquals(Status.STALE, assertThrows(RpcException.class, () -> mounts.get(1)).status());
    mounts.close();
    assertEquals(1, created.get(1).closes.get());
    assertEquals(1, created.get(2).closes.get());
    assertEquals(Status.UNAVAILABLE, assertThrows(RpcException.class, () -> mounts.get(2)).status());
  }

  @Test
  void aConnectorThatCannotBeCreatedIsAUfsErrorEachTime() throws Exception {
    table = List.of(MountInfo.newBuilder().setMountId(1).setUfsUri(dir.resolve("nothing").toUri().toString())
        .build());
    start();
    RpcException e = assertThrows(RpcException.class, () -> mounts.get(1));
    assertEquals(Status.UFS_ERROR, e.status());
    assertTrue(e.getMessage().contains("nothing"), e.getMessage());
    Files.createDirectories(dir.resolve("nothing"));
    mounts.get(1); // not remembered as failed: the store may come back
    assertEquals(1, fetches.get());
  }

  @Test
  void aFailedFetchFailsTheAskersWithItsStatus() {
    start(() -> {
      throw new RpcException(Status.UNAVAILABLE, "no master answered");
    });
    RpcException e = assertThrows(RpcException.class, () -> mounts.get(1));
    assertEquals(Status.UNAVAILABLE, e.status());
    assertTrue(e.getMessage().contains("no master answered"), e.getMessage());
  }
}
