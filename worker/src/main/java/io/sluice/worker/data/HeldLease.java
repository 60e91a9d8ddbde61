package io.sluice.worker.data;

/**
 * One entry of a connection's short-circuit lease table: a lease on a committed block, or a {@link FollowLease} on a
 * block still loading. Event loop only.
 */
interface HeldLease {
  /** Ends the lease: the client is done with the file. Closing twice is harmless. */
  void close();

  /** Ends the lease of a client that may still read the file (its connection closed): the file is never reused. */
  void closeDetached();
}
