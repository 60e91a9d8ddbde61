package io.sluice.master.store;

/**
 * RocksDB failed under the namespace store. Not an answer to a client: the store is the master's state, so a caller
 * that sees this stops serving rather than guess what was written.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
