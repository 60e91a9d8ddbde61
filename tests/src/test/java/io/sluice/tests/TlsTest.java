package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.TestCertificates;
import io.sluice.common.tls.TlsKeys;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: a real master and worker with TLS on every RPC connection. A client with the cluster's CA writes and
 * reads a file through the worker's data server (client -> master, client -> worker and worker -> master all over
 * TLS), the worker sends the cached block by copy (its zero-copy counter stays 0), and a client without TLS is
 * refused at once with an exception saying TLS is required, which the servers count.
 */
class TlsTest {
  @TempDir
  Path dir;

  @Test
  void aTlsClusterServesTlsClientsAndRefusesPlaintextOnes() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    try (LocalCluster cluster = new LocalCluster(dir, TlsKeys.ENABLED.name(), "true",
        TlsKeys.CERT.name(), certs.nodeChain().toString(), TlsKeys.KEY.name(), certs.nodeKey().toString(),
        TlsKeys.TRUST.name(), certs.caCert().toString(),
        "sluice.master.http.port", "0", "sluice.worker.http.port", "0",
        // Reads through the worker's data server, not the block file, so the data path is under TLS too.
        "sluice.user.short.circuit.enabled", "false", "sluice.user.block.size", "1m")) {
      cluster.startMaster();
      cluster.startWorker();
      byte[] data = new byte[3 << 20];
      new Random(9).nextBytes(data);
      // A client is not a server: it needs only the CA, no certificate of its own.
      SluiceConf clientConf = cluster.conf().with(TlsKeys.CERT, "").with(TlsKeys.KEY, "");
      try (SluiceClient client = SluiceClient.connect(clientConf)) {
        cluster.awaitWorker(client); // the worker registered: worker -> master passed TLS
        try (OutputStream out = client.create("/tls-test.bin")) {
          out.write(data);
        }
        try (InputStream in = client.open("/tls-test.bin")) {
          assertArrayEquals(data, in.readAllBytes());
        }
      }
      InetSocketAddress workerHttp = cluster.workerHttp().orElseThrow();
      LocalCluster.await(() -> read(workerHttp) >= data.length, Duration.ofSeconds(10), "the read counted");
      assertEquals(0, Scrape.value(workerHttp, "sluice_worker_data_read_zero_copy_bytes_total"),
          "no FileRegion under TLS");

      SluiceConf plaintext = cluster.conf().with(TlsKeys.ENABLED, "false");
      try (SluiceClient client = SluiceClient.connect(plaintext)) {
        long started = System.nanoTime();
        RpcException e = assertThrows(RpcException.class, () -> client.getStatus("/"));
        assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains("requires TLS") && e.getMessage().contains(TlsKeys.ENABLED.name()),
            e.getMessage());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "no retrying until a timeout");
      }
      InetSocketAddress worker = new InetSocketAddress("127.0.0.1",
          Integer.parseInt(cluster.conf().explicitValues().get("sluice.worker.data.port")));
      RpcException e = assertThrows(RpcException.class, () -> RpcClient.connect(worker, RpcOptions.from(plaintext)));
      assertTrue(e.getMessage().contains("requires TLS"), e.getMessage());

      assertTrue(plaintextRefusals(cluster.masterHttp().orElseThrow()) >= 1, "the master counted its refusal");
      assertTrue(plaintextRefusals(workerHttp) >= 1, "the worker counted its refusal");
    }
  }

  private static double read(InetSocketAddress http) {
    try {
      return Scrape.value(http, "sluice_worker_data_read_bytes_total");
    } catch (Exception e) {
      return -1;
    }
  }

  private static double plaintextRefusals(InetSocketAddress http) throws Exception {
    double sum = 0;
    for (String line : Scrape.page(http).split("\n")) {
      if (line.startsWith("sluice_rpc_handshake_failures_total{") && line.contains("reason=\"plaintext\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
