package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.testing.FreePort;
import io.sluice.master.MasterKeys;
import io.sluice.worker.WorkerKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sluice cluster start|status|stop} over a fake ssh: a script that drops ssh's options, records the
 * host, and runs the command here in an empty environment (as sshd would, so what the remote side needs must be in
 * the command). The master's host is {@code localhost}, the worker's {@code 127.0.0.1}: both this machine, told
 * apart in the record.
 */
class ClusterCommandTest {
  private static final String FAKE_SSH = """
      #!/bin/bash
      # Fake ssh: drop options, record the host, run the command locally with a clean environment.
      set -euo pipefail
      while [ $# -gt 0 ] && [[ "$1" == -* ]]; do
        case "$1" in -o|-p|-i|-l|-F) shift 2 ;; *) shift ;; esac
      done
      host="$1"; shift
      echo "$host" >> "$(dirname "$0")/hosts.txt"
      case "$host" in
        *.invalid) echo "ssh: Could not resolve hostname $host: Name or service not known" >&2; exit 255 ;;
      esac
      exec env -i PATH="$PATH" HOME="$HOME" bash -c "$*"
      """;

  @TempDir
  Path dir;

  private SluiceScript sluice;
  private Path hosts;

  @BeforeEach
  void conf() throws Exception {
    sluice = new SluiceScript(dir);
    Path ssh = dir.resolve("fake-ssh");
    Files.writeString(ssh, FAKE_SSH);
    Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
    hosts = dir.resolve("hosts.txt");
    sluice.env("SLUICE_SSH", ssh + " -o BatchMode=yes -o ConnectTimeout=10");
    int rpcPort = FreePort.pick();
    Properties p = new Properties();
    p.setProperty("sluice.master.addresses", "localhost:" + rpcPort);
    p.setProperty(MasterKeys.HOST.name(), "localhost");
    p.setProperty(MasterKeys.RPC_PORT.name(), Integer.toString(rpcPort));
    p.setProperty(MasterKeys.RAFT_PORT.name(), Integer.toString(FreePort.pick()));
    p.setProperty(MasterKeys.HTTP_PORT.name(), "0");
    p.setProperty(MasterKeys.DIR.name(), dir.resolve("master").toString());
    p.setProperty(WorkerKeys.HOST.name(), "localhost");
    p.setProperty(WorkerKeys.DATA_PORT.name(), Integer.toString(FreePort.pick()));
    p.setProperty(WorkerKeys.HTTP_PORT.name(), "0");
    p.setProperty(WorkerKeys.TIERS.name(), "HDD:" + dir.resolve("worker") + ":256m");
    try (var w = Files.newBufferedWriter(sluice.confDir().resolve("sluice.properties"))) {
      p.store(w, "ClusterCommandTest");
    }
  }

  @AfterEach
  void killLeftovers() {
    sluice.killAll();
  }

  @Test
  void startStatusStopOverSsh() throws Exception {
    Files.writeString(sluice.confDir().resolve("masters"), "# the one master\n\nlocalhost\n");
    Files.writeString(sluice.confDir().resolve("workers"), "127.0.0.1   # a worker\n");

    SluiceScript.Result start = sluice.run("cluster", "start");
    assertEquals(0, start.code(), start.toString());
    assertTrue(start.out().contains("localhost: master started (pid"), start.toString());
    assertTrue(start.out().contains("127.0.0.1: worker started (pid"), start.toString());
    assertEquals(List.of("localhost", "127.0.0.1"), Files.readAllLines(hosts), "masters first, each over ssh");
    ProcessHandle master = sluice.pidFile("master").running().orElseThrow(() -> new AssertionError("no master"));
    ProcessHandle worker = sluice.pidFile("worker").running().orElseThrow(() -> new AssertionError("no worker"));
    awaitLiveWorker();

    SluiceScript.Result status = sluice.run("cluster", "status");
    assertEquals(0, status.code(), status.toString());
    assertTrue(status.out().contains("localhost: master running (pid " + master.pid()), status.toString());
    assertTrue(status.out().contains("127.0.0.1: worker running (pid " + worker.pid()), status.toString());

    Files.delete(hosts);
    SluiceScript.Result stop = sluice.run("cluster", "stop");
    assertEquals(0, stop.code(), stop.toString());
    assertEquals(List.of("127.0.0.1", "localhost"), Files.readAllLines(hosts), "workers stop first");
    assertFalse(master.isAlive(), "master stopped");
    assertFalse(worker.isAlive(), "worker stopped");
    assertFalse(Files.exists(sluice.pidFile("master").path()), "master pid file removed");
    assertFalse(Files.exists(sluice.pidFile("worker").path()), "worker pid file removed");

    SluiceScript.Result after = sluice.run("cluster", "status");
    assertEquals(1, after.code(), after.toString());
    assertTrue(after.err().contains("localhost (master)") && after.err().contains("127.0.0.1 (worker)"),
        after.toString());
  }

  @Test
  void aHostWhoseSshFailsFailsTheStartNamingIt() throws Exception {
    Files.writeString(sluice.confDir().resolve("masters"), "down.invalid\n");
    Files.writeString(sluice.confDir().resolve("workers"), "# none\n");

    SluiceScript.Result start = sluice.run("cluster", "start");
    assertEquals(1, start.code(), start.toString());
    assertTrue(start.out().contains("down.invalid: ssh: Could not resolve hostname"), start.toString());
    assertTrue(start.err().contains("start failed on 1 host(s): down.invalid (master, ssh failed)"),
        start.toString());
  }

  @Test
  void aMissingHostsFileIsNamed() throws Exception {
    SluiceScript.Result start = sluice.run("cluster", "start");
    assertEquals(1, start.code(), start.toString());
    assertTrue(start.err().contains(sluice.confDir().resolve("masters") + ": no such hosts file"), start.toString());
  }

  /** The worker registers with the master shortly after it serves: poll {@code admin workers} until it is live. */
  private void awaitLiveWorker() throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      SluiceScript.Result workers = sluice.run("admin", "workers");
      if (workers.code() == 0 && workers.out().contains(" live ")) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the worker did not register: " + workers);
      }
      Thread.sleep(500);
    }
  }
}
