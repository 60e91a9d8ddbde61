package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.testing.FreePort;
import io.sluice.worker.block.TempBlock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker's {@code /metrics} over HTTP. No master runs: the worker keeps trying to register in the background,
 * which its metrics do not depend on. Blocks are put into its store directly (a block written over the data service
 * is answered only once a master heard of it; the byte counters of that path are tested in DataServerTest).
 */
class WorkerServerMetricsTest {
  @TempDir
  Path dir;
  WorkerServer worker;
  InetSocketAddress http;

  @BeforeEach
  void start() throws Exception {
    int nobody;
    nobody = FreePort.pick(); // no master listens there
    SluiceConf conf = SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + nobody)
        .with(WorkerKeys.HOST, "127.0.0.1").with(WorkerKeys.BIND_HOST, "127.0.0.1")
        .with(WorkerKeys.DATA_PORT, "0").with(WorkerKeys.HTTP_PORT, "0")
        .with(WorkerKeys.TIERS, "MEM:" + dir.resolve("mem") + ":64m,HDD:" + dir.resolve("a") + ":1g;"
            + dir.resolve("b") + ":2g");
    worker = new WorkerServer(conf).start();
    http = worker.httpAddress().orElseThrow();
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void servesGaugesPerTier() throws Exception {
    Scrape s = Scrape.of(http);
    assertEquals(64 << 20, s.require("sluice_worker_tier_capacity_bytes", "tier", "MEM", "server", "worker"));
    assertEquals(3L << 30, s.require("sluice_worker_tier_capacity_bytes", "tier", "HDD"));
    assertEquals(0, s.require("sluice_worker_tier_used_bytes", "tier", "MEM"));
    assertEquals(0, s.require("sluice_worker_tier_blocks", "tier", "HDD"));
    assertEquals(0, s.require("sluice_worker_tier_evictions_total", "tier", "MEM"));
    assertEquals(0, s.require("sluice_worker_tier_dirs_failed", "tier", "HDD"));
    assertTrue(s.value("sluice_worker_tier_capacity_bytes", "tier", "SSD").isEmpty(), "no SSD tier configured");
    assertEquals(0, s.require("sluice_worker_data_read_bytes_total"));
    assertEquals(0, s.require("sluice_worker_data_written_bytes_total"));
    assertEquals(0, s.require("sluice_worker_cache_hits_total"));
    assertEquals(0, s.require("sluice_worker_cache_misses_total"));
    assertEquals(0, s.require("sluice_worker_ufs_read_bytes_total"));
    assertEquals(0, s.require("sluice_worker_ufs_errors_total"));
    assertEquals(0, s.require("sluice_rpc_server_connections", "server", "worker"));
  }

  @Test
  void tierGaugesFollowTheStore() throws Exception {
    TempBlock block = worker.blockStore().create(1, 4096);
    ByteBuf data = Unpooled.wrappedBuffer(new byte[1000]);
    try {
      block.append(data);
    } finally {
      data.release();
    }
    block.commit();

    Scrape s = Scrape.of(http);
    assertEquals(1, s.require("sluice_worker_tier_blocks", "tier", "MEM"), "new blocks go to the fastest tier");
    assertEquals(1000, s.require("sluice_worker_tier_used_bytes", "tier", "MEM"));
    assertEquals(0, s.require("sluice_worker_tier_blocks", "tier", "HDD"));
    assertEquals(0, s.require("sluice_worker_tier_pooled_bytes", "tier", "MEM"));

    worker.blockStore().delete(1);
    s = Scrape.of(http);
    assertEquals(0, s.require("sluice_worker_tier_used_bytes", "tier", "MEM"));
    assertEquals(1000, s.require("sluice_worker_tier_pooled_bytes", "tier", "MEM"), "its file is kept for reuse");
  }

  @Test
  void closeStopsTheHttpService() throws Exception {
    assertEquals(200, Scrape.get(http, "/health").statusCode());
    worker.close();
    worker = null;
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Scrape.get(http, "/health"));
  }
}
