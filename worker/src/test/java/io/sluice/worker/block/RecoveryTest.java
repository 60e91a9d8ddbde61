package io.sluice.worker.block;

import static io.sluice.worker.block.StoreFixture.append;
import static io.sluice.worker.block.StoreFixture.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a worker finds in its directories after a restart or crash. */
class RecoveryTest {
  @TempDir
  Path dir;

  private String tiers() {
    return "MEM:" + dir.resolve("mem") + ":100,HDD:" + dir.resolve("a") + ":1000;" + dir.resolve("b") + ":1000";
  }

  private BlockStore open() throws IOException {
    BlockStore s = new BlockStore(TierSpec.parse(tiers()), false, Watermarks.DEFAULT, new LruPolicy(new FakeClock()));
    s.open();
    return s;
  }

  @Test
  void aRestartDropsUnfinishedWritesAndKeepsCommittedBlocksWhereTheyWere() throws Exception {
    BlockStore before = open();
    put(before, 1, 80); // MEM
    put(before, 2, 300); // HDD a
    put(before, 3, 200); // HDD b
    TempBlock crashed = before.create(4, 500);
    append(crashed, 100); // never ended: as after a crash
    Path[] paths = {before.path(1), before.path(2), before.path(3)};

    BlockStore after = open();
    assertArrayEquals(new long[] {1, 2, 3}, sorted(after.blockIds()));
    assertArrayEquals(paths, new Path[] {after.path(1), after.path(2), after.path(3)});
    assertEquals(80, after.tierStats().get(0).used());
    assertEquals(500, after.tierStats().get(1).used());
    assertEquals(0, tempFiles());
    crashed.abort();
  }

  @Test
  void aBlockFileShorterOrLongerThanItsCommittedLengthIsDropped() throws Exception {
    BlockStore before = open();
    put(before, 1, 300);
    put(before, 2, 300);
    put(before, 3, 50);
    try (FileChannel c = FileChannel.open(before.path(1), StandardOpenOption.WRITE)) {
      c.truncate(100); // the rename was on disk but not all the data (no fsync before a power loss)
    }
    Files.write(before.path(3), new byte[10], StandardOpenOption.APPEND);
    Path cut = before.path(1);

    BlockStore after = open();
    assertArrayEquals(new long[] {2}, after.blockIds());
    assertFalse(Files.exists(cut));
    assertEquals(300, after.used());
  }

  @Test
  void oldUnsuffixedBlockFilesAndStrayFilesAreHandled() throws Exception {
    Path blocks = dir.resolve("a").resolve("blocks");
    Files.createDirectories(blocks);
    Files.write(blocks.resolve("42"), new byte[70]); // the layout before lengths were in names
    Files.write(blocks.resolve("notes.txt"), new byte[5]);

    BlockStore after = open();
    assertArrayEquals(new long[] {42}, after.blockIds());
    assertEquals(70, after.length(42));
    assertTrue(Files.exists(blocks.resolve("notes.txt")), "a file that is not ours is left alone");
  }

  @Test
  void aBlockFoundInTwoDirectoriesIsKeptInTheFasterTier() throws Exception {
    BlockStore before = open();
    put(before, 7, 60); // MEM
    Path hddCopy = dir.resolve("a").resolve("blocks").resolve("7.60");
    Files.copy(before.path(7), hddCopy);

    BlockStore after = open();
    assertTrue(after.path(7).startsWith(dir.resolve("mem")));
    assertFalse(Files.exists(hddCopy));
    assertEquals(60, after.used());
  }

  @Test
  void aStoreWithNoUsableDirectoryRefusesToStart() throws Exception {
    Path file = dir.resolve("not-a-dir");
    Files.write(file, new byte[1]);
    BlockStore s = new BlockStore(TierSpec.parse("HDD:" + file + ":100"), false, Watermarks.DEFAULT,
        new LruPolicy(new FakeClock()));
    assertThrows(IOException.class, s::open);
  }

  private long tempFiles() throws IOException {
    long n = 0;
    for (String d : new String[] {"mem", "a", "b"}) {
      try (Stream<Path> s = Files.list(dir.resolve(d).resolve("tmp"))) {
        n += s.count();
      }
    }
    return n;
  }

  private static long[] sorted(long[] ids) {
    Arrays.sort(ids);
    return ids;
  }
}
