package io.sluice.cli.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one shell command on many hosts at once over ssh and prints every line a host writes (stdout and stderr)
 * prefixed with {@code HOST: }. The ssh command is {@code $SLUICE_SSH} (split on white space), default
 * {@value #DEFAULT_SSH}: batch mode so a missing key fails instead of prompting.
 */
final class SshFanOut {
  static final String DEFAULT_SSH = "ssh -o BatchMode=yes -o ConnectTimeout=10";

  private final List<String> ssh;
  private final PrintWriter out;

  SshFanOut(PrintWriter out) {
    String v = System.getenv("SLUICE_SSH");
    this.ssh = List.of((v == null || v.isBlank() ? DEFAULT_SSH : v).trim().split("\\s+"));
    this.out = out;
  }

  /**
   * Runs {@code command} on every host in parallel and waits for all.
   *
   * @return the hosts where it failed, each with its exit code (255 is ssh's own failure), in host order
   */
  Map<String, Integer> run(List<String> hosts, String command) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(hosts.size(), 32)));
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (String host : hosts) {
        results.add(pool.submit(() -> runOne(host, command)));
      }
      Map<String, Integer> failed = new LinkedHashMap<>();
      for (int i = 0; i < hosts.size(); i++) {
        int code;
        try {
          code = results.get(i).get();
        } catch (ExecutionException e) {
          print(hosts.get(i), "cannot run " + ssh.get(0) + ": " + e.getCause().getMessage());
          code = 255;
        }
        if (code != 0) {
          failed.put(hosts.get(i), code);
        }
      }
      return failed;
    } finally {
      pool.shutdownNow();
    }
  }

  private int runOne(String host, String command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(ssh);
    cmd.add(host);
    cmd.add(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        print(host, line);
      }
    } finally {
      // Interrupted (Ctrl-C on the caller): leave no ssh behind.
      if (Thread.currentThread().isInterrupted()) {
        p.destroyForcibly();
      }
    }
    return p.waitFor();
  }

  private void print(String host, String line) {
    synchronized (out) {
      out.println(host + ": " + line);
    }
  }
}
