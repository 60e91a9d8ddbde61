package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.SluiceMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice admin masters} against three masters as separate processes (issue 8): one LEADER and two FOLLOWERs
 * with the same term; after the leader is killed (SIGKILL), a new LEADER, one FOLLOWER and the dead one listed as
 * unreachable, and the command still succeeds while a leader answers.
 */
class AdminMastersTest {
  @TempDir
  Path dir;
  private MasterProcesses masters;

  @AfterEach
  void stop() throws Exception {
    if (masters != null) {
      masters.close("admin-masters", "AdminMastersTest");
    }
  }

  private record Run(int code, String out, String err) {}

  private Run admin(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PrintStream oldOut = System.out;
    CommandLine cl = SluiceMain.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(capture, true));
    System.setOut(capture);
    try {
      String[] all = new String[args.length + 3];
      all[0] = "admin";
      System.arraycopy(args, 0, all, 1, args.length);
      all[args.length + 1] = "--conf";
      all[args.length + 2] = "sluice.master.addresses=" + masters.addresses();
      int code = cl.execute(all);
      capture.flush();
      return new Run(code, bytes.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  private static long rows(Run r, String role) {
    return r.out().lines().filter(l -> l.matches("\\S+\\s+" + role + "\\b.*")).count();
  }

  @Test
  void mastersShowsEachRaftRoleAndADeadMasterAsUnreachable() throws Exception {
    masters = new MasterProcesses(dir, 3).startAll();
    int leader = masters.leader();
    Run r = admin("masters");
    assertEquals(0, r.code(), r.toString());
    // A follower learns of the leader with its first append (and a slow machine may hold an election again before
    // the group settles): poll until one says LEADER and both others FOLLOWER.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while ((rows(r, "LEADER") != 1 || rows(r, "FOLLOWER") < 2) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      r = admin("masters");
    }
    assertEquals(1, rows(r, "LEADER"), r.out());
    assertEquals(2, rows(r, "FOLLOWER"), r.out());

    masters.kill(leader);
    int next = masters.leader();
    assertTrue(next != leader);
    r = admin("masters");
    deadline = System.nanoTime() + 30_000_000_000L;
    while ((rows(r, "LEADER") != 1 || rows(r, "FOLLOWER") != 1) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      r = admin("masters");
    }
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of(1L, 1L, 1L), List.of(rows(r, "LEADER"), rows(r, "FOLLOWER"), rows(r, "unreachable")),
        r.out());
  }
}
