package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.testing.FreePort;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountOptions;
import io.sluice.tests.MasterProcesses;
import io.sluice.worker.WorkerServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft leader is killed (SIGKILL; three masters, each a separate process) in the middle of a copy into a FUSE
 * mount. A python program copies a 12 MiB file (1 MiB blocks) into the mount like {@code cp} does (write, close, no
 * fsync), and stops after 4 MiB until the test has killed the leader, so the kill lands between two blocks: the
 * next block's allocation and the completion must reach the next leader.
 *
 * <p>The outcome may be either of: the copy succeeds (exit 0), and then the file is complete and byte-identical,
 * through the mount and through another client; or the copy fails with EIO, and then no client may see a file at
 * that path that claims to be complete ({@code FileInfo.complete}) with other bytes: the path is absent, or holds a
 * file marked incomplete, or holds the whole source.
 */
class FuseCopyFailoverTest {
  private static final int BLOCK = 1 << 20;
  private static final String COPY = String.join("\n",
      "import os, sys",
      "src, dst, pause = sys.argv[1], sys.argv[2], int(sys.argv[3])",
      "data = open(src, 'rb').read()",
      "try:",
      "    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)",
      "    done, paused = 0, False",
      "    while done < len(data):",
      "        if not paused and done >= pause:",
      "            paused = True",
      "            print('paused', flush=True)",
      "            sys.stdin.readline()",
      "        done += os.write(fd, data[done:done + (1 << 20)])",
      "    os.close(fd)",
      "except OSError as e:",
      "    print('errno', e.errno, e.strerror, file=sys.stderr, flush=True)",
      "    sys.exit(3)",
      "");

  @TempDir
  Path dir;

  private MasterProcesses masters;

  @AfterEach
  void stopMasters(TestInfo test) throws Exception {
    if (masters != null) {
      masters.close("fuse-failover-logs", test.getTestMethod().map(m -> m.getName()).orElse("test"));
    }
  }

  @Test
  void aCopyIntoTheMountEndsCompleteOrFailsWithoutAHalfVisibleFile() throws Exception {
    FuseRequirement.assumeFuse();
    masters = new MasterProcesses(dir, 3).startAll();
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", masters.addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.rpc.call.timeout", "5s")
        .with("sluice.user.block.size", Integer.toString(BLOCK))
        .with("sluice.worker.host", "127.0.0.1").with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(FreePort.pick()))
        .with("sluice.worker.http.port", "0")
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":1g")
        .with("sluice.worker.heartbeat.interval", "200ms")
        .with("sluice.fuse.http.port", "0");
    byte[] data = new byte[12 * BLOCK];
    new Random(11).nextBytes(data);
    Path src = dir.resolve("src.bin");
    Files.write(src, data);
    Path script = dir.resolve("copy.py");
    Files.writeString(script, COPY);

    try (WorkerServer worker = new WorkerServer(conf);
        SluiceClient mountClient = SluiceClient.connect(conf);
        SluiceClient other = SluiceClient.connect(conf)) {
      worker.start();
      // Three master JVMs start in parallel: on a loaded 2-core host that alone can take a minute.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!live(other)) {
        assertTrue(System.nanoTime() < deadline, "no live worker within 120 s");
        Thread.sleep(50);
      }
      try (FuseMount mount = FuseMount.mount(mountClient, Files.createDirectories(dir.resolve("mnt")),
          MountOptions.from(conf))) {
        Path dst = mount.dir().resolve("copy.bin");
        Process copy = new ProcessBuilder("python3", script.toString(), src.toString(), dst.toString(),
            Integer.toString(4 * BLOCK)).redirectError(dir.resolve("copy.err").toFile()).start();
        try {
          BufferedReader out = new BufferedReader(new InputStreamReader(copy.getInputStream(),
              StandardCharsets.UTF_8));
          assertEquals("paused", out.readLine(), "the copy stopped after 4 MiB: " + stderr());
          masters.kill(masters.leader());
          try (OutputStream in = copy.getOutputStream()) {
            in.write('\n');
          }
          assertTrue(copy.waitFor(120, TimeUnit.SECONDS), "the copy ended");
        } finally {
          copy.destroyForcibly();
        }

        if (copy.exitValue() == 0) {
          // close(2) returned; the release that completes the file is queued before it returns, served in order.
          FileInfo f = awaitComplete(other, "/copy.bin");
          assertEquals(data.length, f.getLength());
          assertArrayEquals(data, read(other, "/copy.bin"), "complete and byte-identical for another client");
          assertArrayEquals(data, Files.readAllBytes(dst), "and through the mount");
        } else {
          assertTrue(stderr().contains("errno 5 "), "a failed copy fails with EIO: " + stderr());
          FileInfo f = statusOrNull(other, "/copy.bin");
          if (f != null && f.getComplete()) {
            assertEquals(data.length, f.getLength(), "a file claiming to be complete is the whole copy");
            assertArrayEquals(data, read(other, "/copy.bin"), "a file claiming to be complete holds the source");
          }
          if (f != null && f.getComplete()) {
            assertArrayEquals(data, Files.readAllBytes(dst), "and so does the mount's view of it");
          }
        }
      }
    }
  }

  private static boolean live(SluiceClient client) {
    try {
      return client.clusterInfo().getWorkersList().stream().anyMatch(w -> w.getLive());
    } catch (IOException e) {
      return false;  // no leader yet
    }
  }

  private String stderr() throws IOException {
    Path err = dir.resolve("copy.err");
    return Files.exists(err) ? Files.readString(err) : "";
  }

  private static FileInfo awaitComplete(SluiceClient client, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      FileInfo f = statusOrNull(client, path);
      if (f != null && f.getComplete()) {
        return f;
      }
      assertTrue(System.nanoTime() < deadline, path + " is still not complete after the copy succeeded: " + f);
      Thread.sleep(50);
    }
  }

  private static FileInfo statusOrNull(SluiceClient client, String path) throws RpcException {
    try {
      return client.getStatus(path);
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  private static byte[] read(SluiceClient client, String path) throws IOException {
    try (SluiceInputStream in = client.open(path)) {
      return in.readAllBytes();
    }
  }
}
