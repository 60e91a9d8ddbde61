package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.testing.FreePort;
import io.sluice.tests.faults.FaultProxy;
import io.sluice.tests.faults.S3Server;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UFS (S3Proxy, a separate process) is killed in the middle of a mount's first, lazy listing of a directory of
 * several listing pages, and started again on the same port. The listing interrupted by the outage must fail with
 * UFS_ERROR, and must not be taken for the directory's content: not served as a partial (here: empty) listing, not
 * remembered as listed, so that once the UFS is back the next listing returns every object.
 *
 * <p>To kill it at a known point, the master reaches S3 through a {@link FaultProxy} that holds the connection
 * right after the first listing page (the end of the first ListBucketResult) has passed; S3Proxy dies while the
 * master waits for the second page.
 */
class UfsOutageListingTest {
  /** Three pages of the master's 1000-entry UFS listings, and of S3's 1000-key pages. */
  private static final int OBJECTS = 2500;

  @TempDir
  Path dir;

  @Test
  void aListingCutByAUfsOutageFailsAndIsNotTakenForTheDirectorysContent() throws Exception {
    ExecutorService lister = Executors.newSingleThreadExecutor();
    try (S3Server s3 = S3Server.start(Files.createDirectories(dir.resolve("s3")), FreePort.pick());
        FaultProxy proxy = FaultProxy.start(new InetSocketAddress("127.0.0.1", s3.port()));
        LocalCluster c = new LocalCluster(dir.resolve("cluster"), "sluice.master.http.port", "0",
            "sluice.user.master.retry.budget", "10s")) {
      Path prefix = Files.createDirectories(s3.bucket("lake").resolve("warehouse"));
      List<String> names = new ArrayList<>();
      for (int i = 0; i < OBJECTS; i++) {
        String name = String.format("obj-%05d", i);
        Files.writeString(prefix.resolve(name), name);
        names.add(name);
      }
      c.startMaster();
      try (SluiceClient client = c.client()) {
        // The mount's default sync interval (30 s): a listing remembered as done is not redone within the test.
        client.mount("/lake", URI.create("s3://lake/warehouse"),
            MountOptions.defaults().withOptions(S3Server.options(proxy.port())));

        CountDownLatch firstPage = proxy.partitionAfter("</ListBucketResult>");
        Future<List<FileInfo>> listing = lister.submit(() -> client.listStatusAll("/lake"));
        assertTrue(firstPage.await(60, TimeUnit.SECONDS), "the first listing page went through");
        s3.kill();
        proxy.heal();
        ExecutionException cut = assertThrows(ExecutionException.class, () -> listing.get(60, TimeUnit.SECONDS),
            () -> "the interrupted listing must fail, not return " + names(listing));
        RpcException e = assertInstanceOf(RpcException.class, cut.getCause(), cut.toString());
        assertEquals(Status.UFS_ERROR, e.status(), e.getMessage());

        // Still down: asking again fails again, rather than serving what was seen of the interrupted listing.
        RpcException again = assertThrows(RpcException.class, () -> client.listStatusAll("/lake"));
        assertEquals(Status.UFS_ERROR, again.status(), again.getMessage());

        s3.restart();
        assertEquals(names, client.listStatusAll("/lake").stream().map(FileInfo::getName).toList(),
            "every object once the UFS is back");
      }
    } finally {
      lister.shutdownNow();
    }
  }

  private static String names(Future<List<FileInfo>> listing) {
    try {
      List<FileInfo> got = listing.get(0, TimeUnit.SECONDS);
      return got.size() + " entries";
    } catch (Exception e) {
      return e.toString();
    }
  }
}
