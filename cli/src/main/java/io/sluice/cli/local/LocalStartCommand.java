package io.sluice.cli.local;

import io.sluice.cli.Stdout;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.cli.daemon.ProcessLauncher;
import io.sluice.client.Mount;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.fuse.FuseKeys;
import io.sluice.master.MasterKeys;
import io.sluice.worker.WorkerKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice local start}: a master, a worker and a FUSE mount as background processes on this host, state under
 * one directory, and waits until the worker registered and the mount is listed, so the cluster is usable when the
 * command returns. Without FUSE (no {@code /dev/fuse}, no libfuse2 and not root to install it) it says what is
 * missing and runs without the mount.
 */
@Command(name = "start", description = "Start a master, a worker and a FUSE mount in the background.")
public final class LocalStartCommand implements Callable<Integer> {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  @Mixin
  ConfOptions conf;

  @Option(names = "--dir", description = "State directory (default: ~/.sluice/local).")
  Path dir;

  @Option(names = "--master-port", defaultValue = "7070", description = "Master RPC port (default: ${DEFAULT-VALUE}).")
  int masterPort;

  @Option(names = "--raft-port", defaultValue = "7071", description = "Master Raft port (default: ${DEFAULT-VALUE}).")
  int raftPort;

  @Option(names = "--worker-port", defaultValue = "7080", description = "Worker data port (default: ${DEFAULT-VALUE}).")
  int workerPort;

  @Option(names = "--master-http-port", defaultValue = "7072",
      description = "Master HTTP port, /metrics (default: ${DEFAULT-VALUE}).")
  int masterHttpPort;

  @Option(names = "--worker-http-port", defaultValue = "7082",
      description = "Worker HTTP port, /metrics (default: ${DEFAULT-VALUE}).")
  int workerHttpPort;

  @Option(names = "--fuse-http-port", defaultValue = "7092",
      description = "FUSE mount's HTTP port, /metrics (default: ${DEFAULT-VALUE}).")
  int fuseHttpPort;

  @Option(names = "--worker-capacity", defaultValue = "4g",
      description = "Cache capacity of the worker's disk tier, STATE_DIR/worker (default: ${DEFAULT-VALUE}).")
  String capacity;

  @Option(names = "--worker-mem-capacity", defaultValue = "1g",
      description = "Capacity of the worker's MEM tier on tmpfs; 0 for none (default: ${DEFAULT-VALUE}).")
  String memCapacity;

  @Option(names = "--worker-mem-dir",
      description = "Directory of the MEM tier, on tmpfs (default: /dev/shm/sluice-USER-ID).")
  Path memDir;

  @Option(names = "--mount-point", description = "FUSE mount point (default: STATE_DIR/mnt).")
  Path mountPoint;

  @Option(names = "--ufs", description = "Local directory mounted at " + UFS_MOUNT
      + " as the cluster's under file system (default: STATE_DIR/ufs).")
  Path ufsDir;

  @Option(names = "--no-fuse", description = "Do not mount Sluice with FUSE.")
  boolean noFuse;

  /** Where the local UFS directory appears in the namespace. */
  static final String UFS_MOUNT = "/local";

  /**
   * Mounts the local UFS directory at {@value #UFS_MOUNT}, unless the master (restarted on its old state) has it
   * mounted already, there or elsewhere; describes the outcome in one line.
   */
  private String mountUfs(LocalLayout layout, Map<String, String> common) throws IOException {
    Path ufs = (ufsDir == null ? layout.root.resolve("ufs") : ufsDir).toAbsolutePath().normalize();
    Files.createDirectories(ufs);
    SluiceConf clientConf = SluiceConf.defaults();
    for (Map.Entry<String, String> e : common.entrySet()) {
      clientConf = clientConf.with(e.getKey(), e.getValue());
    }
    try (SluiceClient client = SluiceClient.connect(clientConf)) {
      // State from an older Sluice may have the directory mounted elsewhere (it was /ufs): keep that mount.
      String uri = withoutSlash(ufs.toUri().toString());
      Optional<Mount> existing = client.mounts().stream()
          .filter(m -> m.path().equals(UFS_MOUNT) || withoutSlash(m.ufsUri().toString()).equals(uri)).findFirst();
      Mount m = existing.isPresent() ? existing.get() : client.mount(UFS_MOUNT, ufs.toUri(), MountOptions.defaults());
      return String.format("  ufs     %s -> %s (its files show up in Sluice; files written under %1$s go to it)",
          m.path(), m.ufsUri());
    } catch (IOException e) {
      return "  ufs     not mounted: " + e.getMessage();
    }
  }

  private static String withoutSlash(String uri) {
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  /** A MEM tier on tmpfs (unless its capacity is 0 or there is no tmpfs), then the disk tier under the state dir. */
  private String workerTiers(LocalLayout layout) throws IOException {
    String disk = "HDD:" + layout.dataDir(LocalLayout.WORKER) + ":" + capacity;
    if (memCapacity.equals("0")) {
      return disk;
    }
    Optional<Path> mem = MemTierDir.resolve(memDir, layout);
    return mem.isPresent() ? "MEM:" + mem.get() + ":" + memCapacity + "," + disk : disk;
  }

  @Override
  public Integer call() throws Exception {
    LocalLayout layout = new LocalLayout(dir == null ? LocalLayout.defaultRoot() : dir);
    for (String role : List.of(LocalLayout.MASTER, LocalLayout.WORKER, LocalLayout.FUSE)) {
      layout.running(role).ifPresent(p -> {
        throw new CliException("a local " + role + " is already running (pid " + p.pid() + ", " + layout.root
            + "); run 'sluice local stop' first");
      });
    }
    checkFree(masterPort, "master RPC");
    checkFree(raftPort, "master Raft");
    checkFree(workerPort, "worker data");
    layout.createDirs();

    SluiceConf loaded = conf.load();
    RpcOptions rpc = RpcOptions.from(loaded);
    Map<String, String> common = new LinkedHashMap<>(loaded.explicitValues());
    common.put(CommonKeys.MASTER_ADDRESSES.name(), "localhost:" + masterPort);
    InetSocketAddress master = new InetSocketAddress("127.0.0.1", masterPort);

    Map<String, String> masterConf = new LinkedHashMap<>(common);
    masterConf.put(MasterKeys.HOST.name(), "localhost");
    masterConf.put(MasterKeys.RPC_PORT.name(), Integer.toString(masterPort));
    masterConf.put(MasterKeys.RAFT_PORT.name(), Integer.toString(raftPort));
    masterConf.put(MasterKeys.HTTP_PORT.name(), Integer.toString(masterHttpPort));
    masterConf.put(MasterKeys.DIR.name(), layout.dataDir(LocalLayout.MASTER).toString());
    Process mp = start(layout, LocalLayout.MASTER, masterConf);
    if (!ClusterProbe.await(master, rpc, info -> true, mp, READY_TIMEOUT)) {
      throw failed(layout, LocalLayout.MASTER, mp);
    }

    Map<String, String> workerConf = new LinkedHashMap<>(common);
    workerConf.put(WorkerKeys.HOST.name(), "localhost");
    workerConf.put(WorkerKeys.DATA_PORT.name(), Integer.toString(workerPort));
    workerConf.put(WorkerKeys.HTTP_PORT.name(), Integer.toString(workerHttpPort));
    String tiers = workerTiers(layout);
    workerConf.put(WorkerKeys.TIERS.name(), tiers);
    Process wp = start(layout, LocalLayout.WORKER, workerConf);
    if (!ClusterProbe.await(master, rpc, info -> info.getWorkersList().stream().anyMatch(WorkerSummary::getLive),
        wp, READY_TIMEOUT)) {
      throw failed(layout, LocalLayout.WORKER, wp);
    }

    var out = Stdout.writer();
    String ufsLine = mountUfs(layout, common);
    Map<String, String> fuseConf = new LinkedHashMap<>(common);
    fuseConf.put(FuseKeys.HTTP_PORT.name(), Integer.toString(fuseHttpPort));
    String fuseLine = noFuse ? null : startFuse(layout, fuseConf);
    out.printf("Sluice is running (state in %s)%n", layout.root);
    out.printf("  master  localhost:%d  pid %d  log %s%n", masterPort, mp.pid(), layout.log(LocalLayout.MASTER));
    out.printf("  worker  localhost:%d  pid %d  log %s%n", workerPort, wp.pid(), layout.log(LocalLayout.WORKER));
    out.printf("  tiers   %s%n", tiers.replace(",", "  "));
    out.println(ufsLine);
    if (fuseLine != null) {
      out.println(fuseLine);
    }
    // Not checked free beforehand: a server whose HTTP port is taken runs without it and says so in its log.
    out.printf("  metrics http://localhost:%d/metrics (master)  http://localhost:%d/metrics (worker)%s%n",
        masterHttpPort, workerHttpPort,
        layout.mountPoint().isPresent() ? "  http://localhost:" + fuseHttpPort + "/metrics (fuse)" : "");
    out.println("Try:  bin/sluice fs put FILE /FILE;  bin/sluice fs ls /;  bin/sluice fs cat /FILE"
        + (layout.mountPoint().isPresent() ? ";  ls " + layout.mountPoint().get() : ""));
    out.println("Stop: bin/sluice local stop" + (dir == null ? "" : " --dir " + layout.root));
    return 0;
  }

  /** Mounts, or explains why not; returns the line to print. A FUSE problem never fails the start. */
  private String startFuse(LocalLayout layout, Map<String, String> conf) throws IOException, InterruptedException {
    Path log = layout.log(LocalLayout.FUSE);
    Optional<String> missing = LocalFuse.ensurePrerequisites(log);
    if (missing.isPresent()) {
      return "  fuse    not mounted: " + missing.get();
    }
    Path mnt = (mountPoint == null ? layout.defaultMountPoint() : mountPoint).toAbsolutePath().normalize();
    try {
      Process fp = LocalFuse.start(layout, mnt, conf);
      return String.format("  fuse    %s  pid %d  log %s", mnt, fp.pid(), log);
    } catch (IOException e) {
      return "  fuse    not mounted: " + e.getMessage();
    }
  }

  private static Process start(LocalLayout layout, String role, Map<String, String> conf) throws IOException {
    Process p = ProcessLauncher.launch(List.of(role), conf, layout.log(role));
    layout.writePid(role, p.pid());
    return p;
  }

  /** Stops what was started and names the log to read. */
  private static CliException failed(LocalLayout layout, String role, Process p) throws IOException {
    LocalStopCommand.stopAll(layout);
    String tail = ProcessLauncher.tail(layout.log(role), 15);
    return new CliException("the " + role + (p.isAlive() ? " did not become ready" : " exited with code "
        + p.exitValue()) + "; see " + layout.log(role) + (tail.isEmpty() ? "" : ":\n" + tail));
  }

  private static void checkFree(int port, String what) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new CliException("port " + port + " (" + what + ") is in use; pick another with --"
          + (what.startsWith("worker") ? "worker" : what.contains("Raft") ? "raft" : "master") + "-port");
    }
  }
}
