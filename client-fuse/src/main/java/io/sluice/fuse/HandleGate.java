package io.sluice.fuse;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps the callbacks that open, use or end file handles out of a mount that is closing. On SIGTERM jnr-fuse's own
 * shutdown hook detaches the mount lazily at once, so processes that hold it keep sending requests while the open
 * files are completed; a file created after that would never be completed. Callbacks enter shared (they never wait
 * for each other, and entering allocates nothing: read and write are the hot path); {@link #close} waits for the one
 * halfway through, and every later one is refused.
 */
final class HandleGate {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closing;

  /** Enters for one callback; false, holding nothing, once the mount is closing. Pair with {@link #exit}. */
  boolean enter() {
    lock.readLock().lock();
    if (closing) {
      lock.readLock().unlock();
      return false;
    }
    return true;
  }

  void exit() {
    lock.readLock().unlock();
  }

  /** Closes the gate for good once no callback is inside, then runs {@code last} with none able to start. */
  void close(Runnable last) {
    lock.writeLock().lock();
    try {
      closing = true;
      last.run();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
