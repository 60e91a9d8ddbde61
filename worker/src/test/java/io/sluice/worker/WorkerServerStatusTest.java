package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.MetricsHttpServer;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.proto.TierStatus;
import io.sluice.common.proto.WorkerStatus;
import io.sluice.common.testing.FreePort;
import io.sluice.worker.block.TempBlock;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker's {@code /api/status} and status page over HTTP. No master runs (as in WorkerServerMetricsTest):
 * the worker stays unregistered, and blocks are put into its store directly.
 */
class WorkerServerStatusTest {
  @TempDir
  Path dir;
  int nobody;
  WorkerServer worker;
  InetSocketAddress http;

  @BeforeEach
  void start() throws Exception {
    nobody = FreePort.pick(); // no master listens there
    // A directory name with markup in it, to see the page escape it.
    SluiceConf conf = SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + nobody)
        .with(WorkerKeys.HOST, "127.0.0.1").with(WorkerKeys.BIND_HOST, "127.0.0.1")
        .with(WorkerKeys.DATA_PORT, "0").with(WorkerKeys.HTTP_PORT, "0")
        .with(WorkerKeys.TIERS, "MEM:" + dir.resolve("mem<1>") + ":64m,HDD:" + dir.resolve("a") + ":1g;"
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

  private WorkerStatus status() throws Exception {
    HttpResponse<String> r = Scrape.get(http, "/api/status");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(MetricsHttpServer.JSON_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
    WorkerStatus.Builder status = WorkerStatus.newBuilder();
    JsonFormat.parser().merge(r.body(), status);
    return status.build();
  }

  @Test
  void reportsWhoItIsAndItsConfiguredTiers() throws Exception {
    WorkerStatus s = status();
    assertEquals(-1, s.getWorkerId(), "no master: unregistered");
    assertEquals("127.0.0.1", s.getAddress().getHost());
    assertEquals(worker.dataAddress().getPort(), s.getAddress().getDataPort());
    assertEquals(List.of("127.0.0.1:" + nobody), s.getMasterAddressesList());
    assertEquals(2, s.getTiersCount());
    TierStatus mem = s.getTiers(0);
    assertEquals("MEM", mem.getAlias());
    assertEquals(List.of(dir.resolve("mem<1>").toString()), mem.getDirsList());
    assertEquals(64L << 20, mem.getCapacityBytes());
    assertEquals(0, mem.getUsedBytes());
    assertEquals(0, mem.getBlockCount());
    TierStatus hdd = s.getTiers(1);
    assertEquals("HDD", hdd.getAlias());
    assertEquals(List.of(dir.resolve("a").toString(), dir.resolve("b").toString()), hdd.getDirsList());
    assertEquals(3L << 30, hdd.getCapacityBytes());
    assertEquals(0, hdd.getFailedDirs());
    assertEquals(0, s.getShortCircuitLeases());
    assertEquals(0, s.getCacheHits());
    assertEquals(0, s.getCacheMisses());
  }

  @Test
  void tiersFollowTheStore() throws Exception {
    TempBlock block = worker.blockStore().create(1, 4096);
    ByteBuf data = Unpooled.wrappedBuffer(new byte[1000]);
    try {
      block.append(data);
    } finally {
      data.release();
    }
    block.commit();

    TierStatus mem = status().getTiers(0);
    assertEquals(1, mem.getBlockCount(), "new blocks go to the fastest tier");
    assertEquals(1000, mem.getUsedBytes());

    worker.blockStore().delete(1);
    mem = status().getTiers(0);
    assertEquals(0, mem.getBlockCount());
    assertEquals(0, mem.getUsedBytes());
    assertEquals(1000, mem.getPooledBytes(), "its file is kept for reuse");
  }

  @Test
  void pageShowsTheSameValuesEscaped() throws Exception {
    HttpResponse<String> r = Scrape.get(http, "/");
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    String page = r.body();
    assertTrue(page.contains("<h1>Sluice worker</h1>"), page);
    assertTrue(page.contains("host=127.0.0.1 dataPort=" + worker.dataAddress().getPort()), page);
    assertTrue(page.contains("127.0.0.1:" + nobody), page);
    assertTrue(page.contains(">67108864<"), "the MEM capacity: " + page);
    assertTrue(page.contains("mem&lt;1&gt;"), page);
    assertFalse(page.contains("<1>"), "no value is markup: " + page);
  }

  @Test
  void otherPathsStayNotFound() throws Exception {
    for (String path : new String[] {"/api", "/api/status/tiers", "/status"}) {
      assertEquals(404, Scrape.get(http, path).statusCode(), path);
    }
  }
}
