package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.ClusterUsage;
import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against a real master and worker, as several users: attributes, permission denials on data and
 * metadata, POSIX rename replacing a file whose blocks the workers then drop, hard links, symlinks, xattrs and
 * usage.
 */
class ClientMetadataTest {
  @TempDir
  static Path dir;
  private static LocalCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new LocalCluster(dir.resolve("cluster"), "sluice.user.block.size", "1m",
        "sluice.security.groups.static", "bob=staff;eve=guests");
    cluster.startMaster();
    cluster.startWorker();
    try (SluiceClient c = cluster.client()) {
      cluster.awaitWorker(c);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  private static SluiceClient as(String user) {
    return SluiceClient.connect(cluster.conf().with("sluice.user.name", user));
  }

  private static void write(SluiceClient c, String path, byte[] data) throws IOException {
    try (OutputStream out = c.create(path)) {
      out.write(data);
    }
  }

  private static byte[] read(SluiceClient c, String path) throws IOException {
    try (InputStream in = c.open(path)) {
      return in.readAllBytes();
    }
  }

  private static void assertDenied(ThrowingCall call) {
    RpcException e = assertThrows(RpcException.class, call::run);
    assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void anotherUserIsDeniedWhatTheModeForbidsAndAllowedAfterChmod() throws Exception {
    byte[] data = "bob's notes".getBytes(StandardCharsets.UTF_8);
    try (SluiceClient admin = cluster.client(); SluiceClient bob = as("bob"); SluiceClient eve = as("eve")) {
      admin.mkdir("/users/bob", true);
      FileInfo home = admin.setOwner("/users/bob", "bob", "staff");
      assertEquals("bob", home.getOwner());
      write(bob, "/users/bob/notes", data);
      bob.setMode("/users/bob/notes", 0600);
      assertDenied(() -> read(eve, "/users/bob/notes"));
      assertDenied(() -> write(eve, "/users/bob/other", data));
      assertDenied(() -> eve.delete("/users/bob/notes", false));
      assertDenied(() -> eve.setMode("/users/bob/notes", 0666));
      bob.setMode("/users/bob/notes", 0644);
      assertArrayEquals(data, read(eve, "/users/bob/notes"));
      FileInfo times = bob.setTimes("/users/bob/notes", 1_000, 2_000);
      assertEquals(1_000, times.getMtimeMs());
      assertEquals(2_000, times.getAtimeMs());
    }
  }

  @Test
  void renameReplacingSwapsFileContentsAtomically() throws Exception {
    byte[] old = new byte[3 << 20];
    byte[] fresh = "new contents".getBytes(StandardCharsets.UTF_8);
    java.util.Arrays.fill(old, (byte) 7);
    try (SluiceClient c = cluster.client()) {
      c.mkdir("/swap", false);
      long before = c.clusterInfo().getWorkers(0).getBlockCount();
      write(c, "/swap/data", old);
      write(c, "/swap/data.tmp", fresh);
      RpcException exists = assertThrows(RpcException.class, () -> c.rename("/swap/data.tmp", "/swap/data"));
      assertEquals(Status.ALREADY_EXISTS, exists.status());
      c.renameReplacing("/swap/data.tmp", "/swap/data");
      assertArrayEquals(fresh, read(c, "/swap/data"));
      assertEquals(1, c.listStatusAll("/swap").size());
      // The replaced file's three blocks leave the worker.
      LocalCluster.await(() -> {
        try {
          return c.clusterInfo().getWorkers(0).getBlockCount() == before + 1;
        } catch (IOException e) {
          return false;
        }
      }, java.time.Duration.ofSeconds(30), "the replaced blocks removed from the worker");
    }
  }

  @Test
  void hardLinksShareOneFileUntilItsLastNameGoes() throws Exception {
    byte[] data = "shared".getBytes(StandardCharsets.UTF_8);
    try (SluiceClient c = cluster.client(); SluiceClient eve = as("eve")) {
      c.mkdir("/links", false);
      write(c, "/links/a", data);
      FileInfo b = c.link("/links/b", "/links/a");
      assertEquals("b", b.getName());
      assertEquals(c.getStatus("/links/a").getId(), b.getId());
      assertEquals(2, c.getStatus("/links/a").getNlink());
      // Changed through one name, read through the other.
      try (FileEditor e = c.edit("/links/b")) {
        e.write(data.length, "+more".getBytes(StandardCharsets.UTF_8), 0, 5);
      }
      assertArrayEquals("shared+more".getBytes(StandardCharsets.UTF_8), read(c, "/links/a"));
      assertEquals(Status.ALREADY_EXISTS, assertThrows(RpcException.class, () -> c.link("/links/b", "/links/a"))
          .status());
      assertEquals(Status.IS_DIRECTORY, assertThrows(RpcException.class, () -> c.link("/links/d", "/links"))
          .status());
      assertDenied(() -> eve.link("/links/e", "/links/a"));
      // The first name goes; the data stays under the second, until it goes too.
      c.delete("/links/a", false);
      assertArrayEquals("shared+more".getBytes(StandardCharsets.UTF_8), read(c, "/links/b"));
      assertEquals(1, c.getStatus("/links/b").getNlink());
      c.delete("/links/b", false);
      assertEquals(0, c.listStatusAll("/links").size());
    }
  }

  @Test
  void symlinksXattrsAndUsage() throws Exception {
    try (SluiceClient c = cluster.client()) {
      c.mkdir("/meta", false);
      write(c, "/meta/real", "data".getBytes(StandardCharsets.UTF_8));
      FileInfo link = c.createSymlink("/meta/link", "real");
      assertEquals(FileType.SYMLINK, c.getStatus("/meta/link").getType());
      assertEquals("real", link.getSymlinkTarget());
      RpcException notFile = assertThrows(RpcException.class, () -> c.open("/meta/link"));
      assertEquals(Status.INVALID_ARGUMENT, notFile.status());
      c.setXattr("/meta/real", "user.origin", "s3".getBytes(StandardCharsets.UTF_8), SetXattrRequest.Mode.CREATE);
      RpcException twice = assertThrows(RpcException.class, () -> c.setXattr("/meta/real", "user.origin",
          new byte[0], SetXattrRequest.Mode.CREATE));
      assertEquals(Status.ALREADY_EXISTS, twice.status());
      assertEquals("s3", new String(c.getXattrs("/meta/real").get("user.origin"), StandardCharsets.UTF_8));
      c.removeXattr("/meta/real", "user.origin");
      assertEquals(0, c.getXattrs("/meta/real").size());
      ClusterUsage usage = c.usage();
      assertEquals(1, usage.liveWorkers());
      assertEquals(4L << 30, usage.capacityBytes(), "the worker's configured tier");
      assertTrue(usage.inodes() >= 4, "root, /meta, real, link: " + usage.inodes());
    }
  }

  @Test
  void mkdirWithModeAndListingResumedAfterAName() throws Exception {
    try (SluiceClient c = cluster.client()) {
      assertEquals(0700, c.mkdir("/resume", false, 0700).getMode());
      for (String n : new String[] {"a", "b", "c", "d"}) {
        c.mkdir("/resume/" + n, false);
      }
      java.util.List<String> after = new java.util.ArrayList<>();
      c.listStatus("/resume", "b").forEach(f -> after.add(f.getName()));
      assertEquals(java.util.List.of("c", "d"), after);
    }
  }
}
