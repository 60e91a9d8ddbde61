package io.sluice.worker.data;

import io.netty.channel.EventLoop;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands a load's progress wake-ups (on its UFS thread) to a connection's event loop, where {@code task} looks at the
 * load: at most one wake-up is queued at a time, so a fast load does not flood the loop. The flag is cleared before
 * {@code task} reads the load's state, so a change after that queues another. The same instance throughout, so it
 * can be unfollowed.
 */
final class LoopWaker implements Runnable {
  private final EventLoop loop;
  private final Runnable task;
  private final AtomicBoolean queued = new AtomicBoolean();

  LoopWaker(EventLoop loop, Runnable task) {
    this.loop = loop;
    this.task = task;
  }

  @Override
  public void run() {
    if (queued.compareAndSet(false, true)) {
      try {
        loop.execute(() -> {
          queued.set(false);
          task.run();
        });
      } catch (RejectedExecutionException e) {
        queued.set(false); // the server is shutting down; its calls are aborted
      }
    }
  }
}
