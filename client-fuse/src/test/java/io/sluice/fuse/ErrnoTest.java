package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status -> errno table, checked against Linux's errno numbers (asm-generic/errno*.h). */
class ErrnoTest {
  private static final int ENOENT = 2;
  private static final int EIO = 5;
  private static final int EPERM = 1;
  private static final int EBADF = 9;
  private static final int EACCES = 13;
  private static final int EEXIST = 17;
  private static final int ENOTDIR = 20;
  private static final int EISDIR = 21;
  private static final int EINVAL = 22;
  private static final int ENOSPC = 28;
  private static final int ENOTEMPTY = 39;
  private static final int ESTALE = 116;

  @Test
  void mapsEveryStatus() {
    Map<Status, Integer> want = Map.ofEntries(Map.entry(Status.OK, 0), Map.entry(Status.NOT_FOUND, ENOENT),
        Map.entry(Status.ALREADY_EXISTS, EEXIST), Map.entry(Status.NOT_EMPTY, ENOTEMPTY),
        Map.entry(Status.NOT_DIRECTORY, ENOTDIR), Map.entry(Status.IS_DIRECTORY, EISDIR),
        Map.entry(Status.PERMISSION_DENIED, EACCES), Map.entry(Status.INVALID_ARGUMENT, EINVAL),
        Map.entry(Status.NOT_LEADER, EIO), Map.entry(Status.UNAVAILABLE, EIO), Map.entry(Status.NO_SPACE, ENOSPC),
        Map.entry(Status.STALE, ESTALE), Map.entry(Status.IO_ERROR, EIO), Map.entry(Status.UFS_ERROR, EIO),
        Map.entry(Status.INTERNAL, EIO));
    for (Status s : Status.values()) {
      if (s == Status.UNRECOGNIZED) {
        continue;
      }
      assertTrue(want.containsKey(s), "the test misses " + s);
      assertEquals(want.get(s), Errno.of(s), s.name());
    }
    assertEquals(EIO, Errno.of(Status.UNRECOGNIZED));
  }

  @Test
  void notSupportedIsLinuxENOTSUP() {
    // "Operation not supported"; jnr-fuse's ErrorCodes.ENOTSUP() says 45 (EL2NSYNC, "Level 2 not synchronized").
    assertEquals(95, Errno.notSupported());
  }

  @Test
  void missingAttributeIsLinuxENODATA() {
    // getfattr prints "No such attribute" for 61; jnr-fuse's ErrorCodes.ENOATTR() says 93 (EREMOTEIO on Linux).
    assertEquals(61, Errno.noAttribute());
  }

  @Test
  void negatesWhatTheClientThrows() {
    assertEquals(-ENOENT, Errno.negated(new RpcException(Status.NOT_FOUND, "/a: not found")));
    assertEquals(-ENOTEMPTY, Errno.negated(new RpcException(Status.NOT_EMPTY, "/d: not empty")));
    // Later listing pages fail unchecked.
    assertEquals(-EACCES, Errno.negated(new UncheckedIOException(new RpcException(Status.PERMISSION_DENIED, "/d"))));
    // A failed write stream wraps the RPC failure in its own IOException.
    assertEquals(-ENOSPC, Errno.negated(new IOException("/f: not completed",
        new RpcException(Status.NO_SPACE, "no worker has room"))));
    assertEquals(-EBADF, Errno.negated(new ErrnoException(EBADF, "not open for writing")));
    assertEquals(-EINVAL, Errno.negated(new EOFException("past the end")));
    assertEquals(-EIO, Errno.negated(new IOException("connection reset")));
    assertEquals(-EIO, Errno.negated(new IllegalStateException("bug")));
  }

  /** Issue 9: chmod, chown and explicit times the master refuses are EPERM, as Linux answers a non-owner. */
  @Test
  void refusedOwnerOnlyChangesAreEperm() {
    assertEquals(-EPERM, Errno.negated(Errno.ownerOnly(new RpcException(Status.PERMISSION_DENIED, "/f: chown"))));
    assertEquals(-ENOENT, Errno.negated(Errno.ownerOnly(new RpcException(Status.NOT_FOUND, "/f"))));
    assertEquals(-EIO, Errno.negated(Errno.ownerOnly(new IOException("connection reset"))));
  }
}
