package io.sluice.cli.fuse;

import io.sluice.cli.ConfOptions;
import io.sluice.cli.Stdout;
import io.sluice.cli.daemon.Daemon;
import io.sluice.cli.daemon.ReadySignal;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountOptions;
import io.sluice.fuse.MountTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fuse mount DIR}: mounts the namespace at DIR and serves it in the foreground until SIGTERM or
 * SIGINT (then unmounts) or until DIR is unmounted from outside. A stale mount left at DIR by a dead process is
 * cleared first. The mount's metrics are served on {@code sluice.fuse.http.port}. With {@code --daemon} the same runs
 * in the background (pid file {@code fuse.pid}, log {@code fuse.log}) and the command returns once DIR is mounted.
 */
@Command(name = "mount", description = "Mount Sluice at DIR and serve it in the foreground until SIGTERM.")
public final class FuseMountCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(FuseMountCommand.class);

  @Mixin
  ConfOptions conf;

  @Parameters(index = "0", paramLabel = "DIR", description = "Mount point; created when missing.")
  Path dir;

  @Option(names = "--daemon", description = "Run in the background: pid file in $SLUICE_PID_DIR (default "
      + "$SLUICE_HOME/run), log in $SLUICE_LOG_DIR (default $SLUICE_HOME/logs); return once mounted.")
  boolean daemon;

  @Override
  public Integer call() throws Exception {
    if (daemon) {
      Daemon.start("fuse", List.of("fuse", "mount", dir.toAbsolutePath().normalize().toString()), conf.overrides());
      return 0;
    }
    SluiceConf c = conf.load();
    MountOptions options = MountOptions.from(c);
    SluiceClient client = SluiceClient.connect(c);
    FuseMount mount;
    try {
      mount = FuseMount.mount(client, dir, options);
    } catch (Exception e) {
      client.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // The mount has its own hook too; close is idempotent, and the client must outlive the unmount.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        mount.close();
      } catch (Exception e) {
        LOG.warn("{}: not cleanly unmounted: {}", mount.dir(), e.toString());
      } finally {
        client.close();
        stopped.countDown();
      }
    }, "fuse-shutdown"));
    var out = Stdout.writer();
    out.printf("Sluice mounted at %s%n", mount.dir());
    mount.httpAddress().ifPresent(a -> out.printf("metrics http://localhost:%d/metrics%n", a.getPort()));
    ReadySignal.signal();
    // Also end when unmounted from outside (sluice fuse umount, fusermount -u): nothing is left to serve.
    while (!stopped.await(1, TimeUnit.SECONDS)) {
      if (mount.awaitUnmounted(Duration.ZERO) && !MountTable.isMounted(mount.dir())) {
        LOG.info("{} was unmounted; exiting", mount.dir());
        mount.close();
        client.close();
        return 0;
      }
    }
    return 0;
  }
}
