package io.sluice.worker.block;

import static io.sluice.worker.block.StoreFixture.append;
import static io.sluice.worker.block.StoreFixture.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory that stops working. Running as root, permissions cannot make a directory fail, and there is no
 * small filesystem to fill; so the tests remove the directory (or put a file in its place) under the running
 * store. The store then gets real errors from the kernel (ENOENT, ENOTDIR) on its next open, rename or check,
 * exactly as after a disk is unmounted or detached, which leaves an empty mount point without blocks/ and tmp/.
 */
class FailedDirTest {
  @TempDir
  Path dir;

  private final StoreFixture.Recorder reports = new StoreFixture.Recorder();

  private BlockStore open() throws IOException {
    BlockStore s = new BlockStore(TierSpec.parse("HDD:" + dir.resolve("a") + ":1000;" + dir.resolve("b") + ":1000"),
        false, Watermarks.DEFAULT, new LruPolicy(new FakeClock()));
    s.open();
    s.setListener(reports);
    return s;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  @Test
  void aWriteIntoAVanishedDirectoryFailsItAndGoesToAnother() throws Exception {
    BlockStore store = open();
    put(store, 1, 100); // a (a tie goes to the first directory)
    put(store, 2, 300); // b, the roomier
    put(store, 3, 50); // a: 900 free against 700
    assertTrue(store.path(1).startsWith(dir.resolve("a")));
    assertTrue(store.path(3).startsWith(dir.resolve("a")));
    deleteTree(dir.resolve("a"));

    put(store, 4, 50); // a is still the roomier; creating in its tmp/ fails, so a fails and the block goes to b
    assertTrue(store.path(4).startsWith(dir.resolve("b")));
    assertEquals(List.of(1L, 3L), reports.removed.stream().sorted().toList());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(1)).status());
    assertEquals(300, store.length(2), "the other directory keeps serving");
    assertEquals(new TierStats(TierAlias.HDD, 1000, 350, 0, 0, 2, 0, 2, 1), store.tierStats().get(0));
    assertEquals(1000, store.capacity());
  }

  @Test
  void aDirectoryReplacedByAFileIsFoundByTheCheckAndItsWritesFail() throws Exception {
    BlockStore store = open();
    put(store, 1, 100); // a
    TempBlock writing = store.create(2, 100); // b, the roomier
    append(writing, 10);
    Path b = dir.resolve("b");
    deleteTree(b);
    Files.write(b, new byte[1]);

    store.checkDirs();
    assertEquals(List.of(), reports.removed, "b held no committed block yet");
    assertEquals(1, store.tierStats().get(0).failedDirs());
    RpcException e = assertThrows(RpcException.class, writing::commit);
    assertEquals(Status.IO_ERROR, e.status());
    assertEquals(100, store.length(1));
    store.checkDirs(); // idempotent
    assertEquals(1, store.tierStats().get(0).failedDirs());
    put(store, 3, 500);
    assertTrue(store.path(3).startsWith(dir.resolve("a")));
  }

  @Test
  void committedBlocksOfAFailedDirectoryAreReportedRemoved() throws Exception {
    BlockStore store = open();
    put(store, 1, 100); // a
    put(store, 2, 100); // b
    put(store, 3, 50); // a
    deleteTree(dir.resolve("a"));
    store.checkDirs();
    assertEquals(List.of(1L, 3L), reports.removed.stream().sorted().toList());
    assertEquals(100, store.used());
  }

  @Test
  void aSingleBlockFileDeletedByHandDoesNotFailItsDirectory() throws Exception {
    BlockStore store = open();
    put(store, 1, 100);
    put(store, 2, 100);
    Files.delete(store.path(1));
    assertTrue(store.delete(1));
    assertEquals(0, store.tierStats().get(0).failedDirs());
    assertEquals(100, store.length(2));
    assertEquals(List.of(1L), reports.removed);
  }
}
