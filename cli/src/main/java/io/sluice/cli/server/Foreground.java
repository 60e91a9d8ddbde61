package io.sluice.cli.server;

import io.sluice.cli.daemon.ReadySignal;
import java.io.Closeable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a started server in the foreground until the process is told to stop (SIGTERM, SIGINT). */
final class Foreground {
  private static final Logger LOG = LoggerFactory.getLogger(Foreground.class);

  private Foreground() {}

  /**
   * Blocks until shutdown, having told a {@code --daemon} starter that the role is up; the shutdown hook closes
   * {@code server} so the process exits cleanly.
   */
  static int run(String role, Closeable server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      LOG.info("{} stopping", role);
      try {
        server.close();
      } catch (Exception e) {
        LOG.warn("{} did not stop cleanly: {}", role, e.toString());
      }
      stopped.countDown();
    }, role + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ReadySignal.signal();
    stopped.await();
    return 0;
  }
}
