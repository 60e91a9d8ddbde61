package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.testing.FreePort;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice.worker.mem.pretouch} on a real worker: start does not wait, the MEM pool fills in the background. */
class WorkerPretouchTest {
  @TempDir
  Path dir;
  WorkerServer worker;

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  private SluiceConf conf(String pretouch) throws Exception {
    int nobody;
    nobody = FreePort.pick(); // no master listens there
    return SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + nobody)
        .with(WorkerKeys.HOST, "127.0.0.1").with(WorkerKeys.BIND_HOST, "127.0.0.1")
        .with(WorkerKeys.DATA_PORT, "0").with(WorkerKeys.HTTP_PORT, "0")
        .with(WorkerKeys.TIERS, "MEM:" + dir.resolve("mem") + ":8m,HDD:" + dir.resolve("hdd") + ":1g")
        .with(WorkerKeys.MEM_PRETOUCH, pretouch);
  }

  @Test
  void theMemPoolIsFilledInTheBackgroundAndShownInTheMetrics() throws Exception {
    worker = new WorkerServer(conf("3m")).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (worker.blockStore().tierStats().get(0).pooled() < 3 << 20) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pre-touch did not fill the pool: " + worker.blockStore().tierStats().get(0));
      }
      Thread.sleep(10);
    }
    Scrape s = Scrape.of(worker.httpAddress().orElseThrow());
    assertEquals(3 << 20, s.require("sluice_worker_tier_pooled_bytes", "tier", "MEM"));
    assertEquals(0, s.require("sluice_worker_tier_pooled_bytes", "tier", "HDD"));
  }

  @Test
  void aNegativeSizeIsRefused() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> new WorkerServer(conf("-1")).start());
  }
}
