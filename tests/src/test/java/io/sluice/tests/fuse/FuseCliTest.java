package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.testing.FreePort;
import io.sluice.fuse.FuseMount;
import io.sluice.tests.SluiceScript;
import io.sluice.fuse.MountTable;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FUSE commands as separate processes: {@code sluice fuse mount} in the foreground,
 * stopped by SIGTERM or by {@code sluice fuse umount}, recovering the stale mount of a killed process, and
 * {@code sluice local start|stop} with its mount, {@code sluice fuse mount DIR --daemon} and {@code sluice stop fuse}.
 */
class FuseCliTest {
  private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir
  Path tmp;

  private FuseCluster cluster;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> mountPoints = new ArrayList<>();

  @BeforeEach
  void fuse() {
    FuseRequirement.assumeFuse();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    try {
      for (Path m : mountPoints) {
        FuseMount.unmount(m);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private String masterConf() {
    return "sluice.master.addresses=" + cluster.conf().explicitValues().get("sluice.master.addresses");
  }

  /** {@code sluice fuse mount DIR} in the background; returns once the mount is listed and answers. */
  private Process mountProcess(Path mnt) throws Exception {
    mountPoints.add(mnt);
    Path log = tmp.resolve("mount-" + processes.size() + ".log");
    Process p = new ProcessBuilder(Shell.sluiceCommand("fuse", "mount", mnt.toString(), "--conf", masterConf()))
        .redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    processes.add(p);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!(MountTable.isMounted(mnt) && answers(mnt))) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        String probe;
        try {
          Files.list(mnt).close();
          probe = "lists";
        } catch (IOException e) {
          probe = e.toString();
        }
        throw new AssertionError("not mounted (listed " + MountTable.isMounted(mnt) + ", " + probe + "): "
            + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return p;
  }

  /** A stale mount is listed too, but fails every access (a stat of its root may still come from the cache). */
  private static boolean answers(Path mnt) {
    try {
      Files.list(mnt).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Shell.Result sluice(String... args) throws IOException, InterruptedException {
    return Shell.run(HOME, Shell.sluiceCommand(args));
  }

  @Test
  void mountServesUntilSigterm() throws Exception {
    cluster = new FuseCluster(tmp.resolve("cluster")).start();
    Path mnt = tmp.resolve("a/b/mnt");
    Process p = mountProcess(mnt);
    Files.writeString(mnt.resolve("hello.txt"), "hello");
    assertEquals("hello", Files.readString(mnt.resolve("hello.txt")));
    p.destroy();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIGTERM");
    assertFalse(MountTable.isMounted(mnt), "SIGTERM left the mount behind");
    // The file was completed when it was closed, and outlives the mount.
    assertEquals(5, cluster.client().getStatus("/hello.txt").getLength());
  }

  @Test
  void aStaleMountOfAKilledProcessIsClearedByTheNextMount() throws Exception {
    cluster = new FuseCluster(tmp.resolve("cluster")).start();
    Path mnt = tmp.resolve("mnt");
    Process first = mountProcess(mnt);
    first.destroyForcibly();
    first.waitFor(30, TimeUnit.SECONDS);
    // What a crash leaves: the kernel still lists the mount, and every access fails.
    assertTrue(MountTable.isMounted(mnt));
    FileSystemException stale = assertThrows(FileSystemException.class, () -> Files.list(mnt).close());
    assertTrue(String.valueOf(stale.getMessage()).contains("not connected"), stale.toString());

    Process second = mountProcess(mnt);
    Files.createDirectory(mnt.resolve("d"));
    assertTrue(cluster.client().getStatus("/d").getName().equals("d"));

    Shell.Result umount = sluice("fuse", "umount", mnt.toString());
    assertEquals(0, umount.code(), umount.toString());
    assertFalse(MountTable.isMounted(mnt));
    // Unmounted from outside, the serving process has nothing left to do and exits.
    assertTrue(second.waitFor(30, TimeUnit.SECONDS), "the mount process kept running");
    assertEquals(0, second.exitValue(), Files.readString(tmp.resolve("mount-1.log")));

    Shell.Result again = sluice("fuse", "umount", mnt.toString());
    assertEquals(1, again.code());
    assertTrue(again.err().contains("not mounted"), again.toString());
  }

  @Test
  void localStartMountsAndLocalStopUnmounts() throws Exception {
    String state = tmp.resolve("state").toString();
    Path mnt = tmp.resolve("state/mnt");
    mountPoints.add(mnt);
    String master = Integer.toString(FreePort.pick());
    Shell.Result stop;
    try {
      Shell.Result start = sluice("local", "start", "--dir", state, "--master-port", master, "--raft-port",
          Integer.toString(FreePort.pick()), "--worker-port", Integer.toString(FreePort.pick()),
          "--worker-capacity", "1g", "--worker-mem-capacity", "0"); // no MEM tier: nothing left in /dev/shm
      assertEquals(0, start.code(), start.toString());
      assertTrue(start.out().contains("fuse    " + mnt), start.toString());
      assertTrue(start.out().contains("http://localhost:7092/metrics (fuse)"), start.toString());
      assertTrue(MountTable.isMounted(mnt));
      Files.writeString(mnt.resolve("via-fuse.txt"), "written through the local mount");
      Shell.Result cat = sluice("fs", "cat", "/via-fuse.txt", "--conf", "sluice.master.addresses=localhost:" + master);
      assertEquals("written through the local mount", cat.out(), cat.toString());
      Shell.Result status = sluice("local", "status", "--dir", state, "--master-port", master);
      assertTrue(status.out().contains("mounted at " + mnt), status.toString());
    } finally {
      // Stops whatever started, also after a failure above (whose assertion is the one reported).
      stop = sluice("local", "stop", "--dir", state);
    }
    assertEquals(0, stop.code(), stop.toString());
    assertTrue(stop.out().contains("fuse"), stop.toString());
    assertFalse(MountTable.isMounted(mnt), "local stop left the mount behind");
  }

  @Test
  void daemonMountIsStoppedByStopFuse() throws Exception {
    cluster = new FuseCluster(tmp.resolve("cluster")).start();
    Path mnt = tmp.resolve("daemon-mnt");
    mountPoints.add(mnt);
    SluiceScript script = new SluiceScript(tmp.resolve("daemon"));
    try {
      SluiceScript.Result start = script.run("fuse", "mount", mnt.toString(), "--daemon", "--conf", masterConf(),
          "--conf", "sluice.fuse.http.port=0");
      assertEquals(0, start.code(), start.toString());
      assertTrue(start.out().contains("fuse started (pid"), start.toString());
      assertTrue(MountTable.isMounted(mnt), "mounted when --daemon returns");
      Files.writeString(mnt.resolve("daemon.txt"), "via the daemon mount");
      assertEquals(0, script.run("status", "fuse").code());
      assertTrue(Files.readString(script.logDir().resolve("fuse.out")).contains("Sluice mounted at " + mnt));

      SluiceScript.Result stop = script.run("stop", "fuse");
      assertEquals(0, stop.code(), stop.toString());
      assertFalse(MountTable.isMounted(mnt), "stop fuse unmounts (the process unmounts on SIGTERM)");
      assertFalse(Files.exists(script.pidFile("fuse").path()), "stop removes the pid file");
      assertEquals(20, cluster.client().getStatus("/daemon.txt").getLength());
    } finally {
      script.killAll();
    }
  }
}
