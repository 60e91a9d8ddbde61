package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.conf.SluiceConf;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.TierAlias;
import io.sluice.worker.block.TierStats;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's block store and UFS keys reach their users, and a bad value stops the worker before it starts. */
class WorkerServerConfigTest {
  @TempDir
  Path dir;

  @Test
  void tiersFromTheConfigAreBuiltFastestFirst() throws Exception {
    SluiceConf conf = SluiceConf.defaults()
        .with(WorkerKeys.TIERS, "HDD:" + dir.resolve("a") + ":1g;" + dir.resolve("b") + ":2g,MEM:" + dir.resolve("m")
            + ":64m")
        .with(WorkerKeys.EVICTOR, "LFU");
    BlockStore store = new WorkerServer(conf).blockStore();
    store.open();
    List<TierStats> tiers = store.tierStats();
    assertEquals(List.of(TierAlias.MEM, TierAlias.HDD), tiers.stream().map(TierStats::alias).toList());
    assertEquals(3L << 30, tiers.get(1).capacity());
    assertEquals(2, tiers.get(1).dirs());
  }

  @Test
  void badStoreSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new WorkerServer(SluiceConf.defaults()
        .with(WorkerKeys.TIERS, "HDD:" + dir + ":1g").with(WorkerKeys.EVICTOR, "MRU")));
    assertThrows(IllegalArgumentException.class, () -> new WorkerServer(SluiceConf.defaults()
        .with(WorkerKeys.TIERS, "HDD:" + dir + ":1g").with(WorkerKeys.EVICTION_LOW_WATERMARK, "0.99")));
    assertThrows(IllegalArgumentException.class, () -> new WorkerServer(SluiceConf.defaults()
        .with(WorkerKeys.TIERS, "FLOPPY:" + dir + ":1m")));
  }

  @Test
  void badUfsSettingsStopTheStart() {
    for (SluiceConf bad : List.of(base().with(WorkerKeys.UFS_THREADS, "0"),
        base().with(WorkerKeys.UFS_BUFFER_SIZE, "1k"), base().with(WorkerKeys.UFS_BUFFER_SIZE, "65m"))) {
      WorkerServer w = new WorkerServer(bad);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, w::start);
      assertTrue(e.getMessage().startsWith("sluice.worker.ufs."), e.getMessage());
      assertTrue(w.httpAddress().isEmpty(), "nothing left running");
    }
  }

  private SluiceConf base() {
    return SluiceConf.defaults().with(WorkerKeys.TIERS, "HDD:" + dir + ":1g").with(WorkerKeys.HTTP_PORT, "0")
        .with(WorkerKeys.DATA_PORT, "0").with(WorkerKeys.BIND_HOST, "127.0.0.1");
  }
}
