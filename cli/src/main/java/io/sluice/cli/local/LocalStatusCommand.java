package io.sluice.cli.local;

import io.sluice.cli.ConfOptions;
import io.sluice.cli.Stdout;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.fuse.MountTable;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice local status}: which local processes run and what the master sees. Exit 0 only when all run. */
@Command(name = "status", description = "Show the local cluster's processes and workers.")
public final class LocalStatusCommand implements Callable<Integer> {
  @Mixin
  ConfOptions conf;

  @Option(names = "--dir", description = "State directory (default: ~/.sluice/local).")
  Path dir;

  @Option(names = "--master-port", defaultValue = "7070", description = "Master RPC port (default: ${DEFAULT-VALUE}).")
  int masterPort;

  @Override
  public Integer call() {
    LocalLayout layout = new LocalLayout(dir == null ? LocalLayout.defaultRoot() : dir);
    var out = Stdout.writer();
    boolean all = true;
    for (String role : List.of(LocalLayout.MASTER, LocalLayout.WORKER)) {
      Optional<ProcessHandle> p = layout.running(role);
      all &= p.isPresent();
      out.printf("%-7s %s%n", role, p.map(h -> "running (pid " + h.pid() + ")").orElse("stopped"));
    }
    // The mount counts only when one was started: local start runs without it where FUSE is missing.
    Optional<Path> mnt = layout.mountPoint();
    if (mnt.isPresent()) {
      Optional<ProcessHandle> p = layout.running(LocalLayout.FUSE);
      boolean mounted = p.isPresent() && MountTable.isMounted(mnt.get());
      all &= mounted;
      out.printf("%-7s %s%n", LocalLayout.FUSE, mounted ? "mounted at " + mnt.get() + " (pid " + p.get().pid() + ")"
          : "not mounted (" + mnt.get() + ")");
    }
    Optional<GetClusterInfoResponse> info = ClusterProbe.ask(new InetSocketAddress("127.0.0.1", masterPort),
        RpcOptions.from(conf.load()));
    if (info.isPresent()) {
      for (WorkerSummary w : info.get().getWorkersList()) {
        out.printf("worker %d at %s:%d: %s, %d blocks, %d of %d bytes used%n", w.getWorkerId(),
            w.getAddress().getHost(), w.getAddress().getDataPort(), w.getLive() ? "live" : "lost", w.getBlockCount(),
            w.getUsedBytes(), w.getCapacityBytes());
      }
      out.printf("inodes: %d%n", info.get().getInodeCount());
    } else if (all) {
      out.println("the master does not answer on port " + masterPort);
      all = false;
    }
    return all ? 0 : 1;
  }
}
