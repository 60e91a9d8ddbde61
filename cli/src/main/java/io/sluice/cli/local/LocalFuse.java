package io.sluice.cli.local;

import com.sun.security.auth.module.UnixSystem;
import io.sluice.cli.daemon.ProcessLauncher;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.FuseSupport;
import io.sluice.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local cluster's FUSE mount: its prerequisites, its process ({@code sluice fuse mount DIR}) and its removal.
 * FUSE is a convenience of the local cluster, never a condition for it: whatever goes wrong here is reported and
 * the master and worker keep running.
 */
final class LocalFuse {
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(60);

  private LocalFuse() {}

  /**
   * Makes FUSE usable if it is not: as root, installs the {@code fuse} and {@code libfuse2} packages with apt-get
   * (output to {@code log}); otherwise nothing can be done here.
   *
   * @return what is still missing, as a sentence; empty when FUSE can be used
   */
  static Optional<String> ensurePrerequisites(Path log) throws InterruptedException {
    Optional<String> missing = FuseSupport.missing();
    if (missing.isEmpty() || !Files.exists(Path.of("/dev/fuse"))) {
      // Without the device no package helps: it is the kernel's (or the container's) to provide.
      return missing;
    }
    boolean root = new UnixSystem().getUid() == 0;
    Path aptGet = Path.of("/usr/bin/apt-get");
    if (!root || !Files.isExecutable(aptGet)) {
      return Optional.of(missing.get() + (root ? "" : "; install it as root, or run 'sluice local start' as root"));
    }
    try {
      Process p = new ProcessBuilder(aptGet.toString(), "install", "-y", "-q", "fuse", "libfuse2")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      return Optional.of(missing.get() + "; apt-get failed: " + e.getMessage());
    }
    return FuseSupport.missing().map(m -> m + "; 'apt-get install fuse libfuse2' did not help, see " + log);
  }

  /**
   * Starts the mount process and waits until the kernel lists the mount.
   *
   * @return the process
   * @throws IOException when it exits or does not mount in time (the process is then stopped)
   */
  static Process start(LocalLayout layout, Path mnt, Map<String, String> conf)
      throws IOException, InterruptedException {
    Process p = ProcessLauncher.launch(List.of("fuse", "mount", mnt.toString()), conf, layout.log(LocalLayout.FUSE));
    layout.writePid(LocalLayout.FUSE, p.pid());
    layout.writeMountPoint(mnt);
    long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
    while (!MountTable.isMounted(mnt)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        String why = p.isAlive() ? "did not mount within " + MOUNT_TIMEOUT.toSeconds() + "s"
            : "exited with code " + p.exitValue();
        stop(layout);
        throw new IOException("the FUSE mount at " + mnt + " " + why + "; see " + layout.log(LocalLayout.FUSE));
      }
      Thread.sleep(100);
    }
    return p;
  }

  /**
   * Stops the mount process (which unmounts on SIGTERM), then makes sure nothing stays mounted, also when the
   * process had died and left a stale mount.
   *
   * @return the stopped process's description, if one ran
   */
  static Optional<String> stop(LocalLayout layout) throws IOException {
    Optional<ProcessHandle> p = layout.running(LocalLayout.FUSE);
    p.ifPresent(LocalStopCommand::stop);
    layout.removePid(LocalLayout.FUSE);
    Optional<Path> mnt = layout.mountPoint();
    if (mnt.isPresent()) {
      FuseMount.unmount(mnt.get());
      layout.removeMountPoint();
    }
    return p.map(h -> LocalLayout.FUSE + " (pid " + h.pid() + (mnt.isPresent() ? ", " + mnt.get() : "") + ")");
  }
}
