package io.sluice.common.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers whose address must be known before they start (Raft peers, processes given their ports in their
 * configuration, a master address where none listens). A port the kernel hands out for {@code new ServerSocket(0)}
 * comes from the ephemeral range, so between the check and the server's bind any outgoing connection (the test's own
 * clients) may take it, and a server bound to port 0 later may get it back. A port below that range is neither.
 */
public final class FreePort {
  private static final int LOWEST = 10_000;
  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /**
   * Ports handed out by this JVM: each at most once, since a test picks several before any server binds one (three
   * masters' RPC and Raft ports), and a free port stays free, to be drawn again, until then.
   */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePort() {}

  /**
   * A port no server listens on now and this JVM has not handed out before, from 10000 up to the kernel's ephemeral
   * range; from that range itself only where it leaves fewer than 1000 ports below it.
   */
  public static int pick() throws IOException {
    int below = ephemeralStart();
    if (below - LOWEST < 1_000) {
      while (true) {
        try (ServerSocket s = new ServerSocket(0)) {
          if (GIVEN.add(s.getLocalPort())) {
            return s.getLocalPort();
          }
        }
      }
    }
    for (int tries = 0; ; tries++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
      if (GIVEN.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port)) {
        GIVEN.add(port);
        return s.getLocalPort();
      } catch (BindException e) {
        if (tries == 100) {
          throw new IOException("no free port in " + LOWEST + ".." + below + " after 100 tries", e);
        }
      }
    }
  }

  private static int ephemeralStart() {
    // Line by line: /proc reports a size of 0, and Files.readString (readAllBytes) then returned "3" of
    // "32768 60999", which sent every pick into the ephemeral range.
    try (BufferedReader r = Files.newBufferedReader(RANGE)) {
      return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;  // Linux's default; elsewhere a port below it is as good a guess as any
    }
  }
}
