package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.testing.FreePort;
import io.sluice.master.MasterKeys;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice master --daemon}, {@code sluice status|stop master} through the real launcher: pid file, log file
 * (rolled by size), refusing a second start, cleaning a stale pid file, failing with the log's tail.
 */
class DaemonTest {
  @TempDir
  Path dir;

  private SluiceScript sluice;
  private int rpcPort;

  @BeforeEach
  void conf() throws Exception {
    sluice = new SluiceScript(dir);
    rpcPort = FreePort.pick();
    Properties p = new Properties();
    p.setProperty("sluice.master.addresses", "localhost:" + rpcPort);
    p.setProperty(MasterKeys.HOST.name(), "localhost");
    p.setProperty(MasterKeys.RPC_PORT.name(), Integer.toString(rpcPort));
    p.setProperty(MasterKeys.RAFT_PORT.name(), Integer.toString(FreePort.pick()));
    p.setProperty(MasterKeys.HTTP_PORT.name(), "0");
    p.setProperty(MasterKeys.DIR.name(), dir.resolve("master").toString());
    try (var w = Files.newBufferedWriter(sluice.confDir().resolve("sluice.properties"))) {
      p.store(w, "DaemonTest");
    }
  }

  @AfterEach
  void killLeftovers() {
    sluice.killAll();
  }

  @Test
  void secondStartRefusesStopStopsAndTheLogRolls() throws Exception {
    writeStalePidFile();
    // Tiny rolling limits, checked at every event, so the master's start-up lines already roll the log.
    sluice.env("SLUICE_JAVA_OPTS", "-Dsluice.log.max.size=200 -Dsluice.log.check.interval=0 "
        + "-Dsluice.log.max.history=2");
    SluiceScript.Result start = sluice.run("master", "--daemon");
    assertEquals(0, start.code(), start.toString());
    assertTrue(start.out().contains("removing stale pid file"), start.toString());
    assertTrue(start.out().contains("master started (pid"), start.toString());
    ProcessHandle master = sluice.pidFile("master").running().orElseThrow(() -> new AssertionError("no live pid"));

    SluiceScript.Result again = sluice.run("master", "--daemon");
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("already running (pid " + master.pid()), again.toString());
    assertTrue(master.isAlive(), "the refused start left the running master alone");

    SluiceScript.Result status = sluice.run("status", "master");
    assertEquals(0, status.code(), status.toString());
    assertTrue(status.out().contains("master running (pid " + master.pid()), status.toString());

    Path log = sluice.logDir().resolve("master.log");
    Path rolled = sluice.logDir().resolve("master.log.1");
    awaitFile(rolled);
    assertFalse(Files.exists(sluice.logDir().resolve("master.log.3")), "history is capped at 2");
    String logs = Files.readString(log) + Files.readString(rolled)
        + (Files.exists(sluice.logDir().resolve("master.log.2"))
            ? Files.readString(sluice.logDir().resolve("master.log.2")) : "");
    assertTrue(logs.contains("INFO"), "the daemon logs through logback to its log file: " + logs);
    assertFalse(Files.readString(sluice.logDir().resolve("master.out")).contains(" INFO "),
        "log lines go to the rolled log, not to master.out");

    SluiceScript.Result stop = sluice.run("stop", "master");
    assertEquals(0, stop.code(), stop.toString());
    assertTrue(stop.out().contains("master stopped"), stop.toString());
    assertFalse(master.isAlive(), "stop returns once the master has exited");
    assertFalse(Files.exists(sluice.pidFile("master").path()), "stop removes the pid file");

    SluiceScript.Result after = sluice.run("status", "master");
    assertEquals(1, after.code(), after.toString());
    assertTrue(after.out().contains("master not running"), after.toString());
  }

  @Test
  void stopRemovesAStalePidFile() throws Exception {
    writeStalePidFile();
    SluiceScript.Result status = sluice.run("status", "master");
    assertEquals(1, status.code(), status.toString());
    assertTrue(status.out().contains("stale pid file"), status.toString());

    SluiceScript.Result stop = sluice.run("stop", "master");
    assertEquals(0, stop.code(), stop.toString());
    assertTrue(stop.out().contains("removed stale pid file"), stop.toString());
    assertFalse(Files.exists(sluice.pidFile("master").path()));
  }

  @Test
  void aMasterThatCannotStartFailsWithItsLogTail() throws Exception {
    try (ServerSocket taken = new ServerSocket(rpcPort)) {
      assertTrue(taken.isBound());
      SluiceScript.Result start = sluice.run("master", "--daemon");
      assertEquals(1, start.code(), start.toString());
      assertTrue(start.err().contains("the master exited with code"), start.toString());
      assertTrue(start.err().contains(sluice.logDir().resolve("master.log").toString()), start.toString());
      assertFalse(Files.exists(sluice.pidFile("master").path()), "a failed start leaves no pid file");
    }
  }

  /** A pid file naming a process that has exited: what a crashed daemon leaves behind. */
  private void writeStalePidFile() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    sluice.pidFile("master").write(gone.pid());
  }

  private static void awaitFile(Path f) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(f)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(f + " did not appear");
      }
      Thread.sleep(100);
    }
  }
}
