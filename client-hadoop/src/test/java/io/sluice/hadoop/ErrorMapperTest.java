package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsDirectoryException;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.security.AccessControlException;
import org.junit.jupiter.api.Test;

/** Every status to the exception class Hadoop callers catch, without a cluster. */
class ErrorMapperTest {
  private static final Path P = new Path("sluice://m:7070/a/b");

  private static RpcException rpc(Status s) {
    return new RpcException(s, "/a/b: " + s.name().toLowerCase());
  }

  private static void assertMaps(Class<? extends IOException> expected, IOException mapped, Status from) {
    assertEquals(expected, mapped.getClass(), from + " -> " + mapped);
    assertTrue(mapped.getCause() instanceof RpcException, "keeps the Sluice error as the cause");
  }

  @Test
  void generalMapping() {
    assertMaps(FileNotFoundException.class, ErrorMapper.map(rpc(Status.NOT_FOUND), P), Status.NOT_FOUND);
    assertMaps(FileAlreadyExistsException.class, ErrorMapper.map(rpc(Status.ALREADY_EXISTS), P),
        Status.ALREADY_EXISTS);
    assertMaps(AccessControlException.class, ErrorMapper.map(rpc(Status.PERMISSION_DENIED), P),
        Status.PERMISSION_DENIED);
    assertMaps(PathIsNotEmptyDirectoryException.class, ErrorMapper.map(rpc(Status.NOT_EMPTY), P), Status.NOT_EMPTY);
    assertMaps(ParentNotDirectoryException.class, ErrorMapper.map(rpc(Status.NOT_DIRECTORY), P),
        Status.NOT_DIRECTORY);
    assertMaps(PathIsDirectoryException.class, ErrorMapper.map(rpc(Status.IS_DIRECTORY), P), Status.IS_DIRECTORY);
    for (Status s : new Status[] {Status.UNAVAILABLE, Status.NO_SPACE, Status.IO_ERROR, Status.UFS_ERROR,
        Status.INTERNAL, Status.STALE, Status.NOT_LEADER}) {
      IOException mapped = ErrorMapper.map(rpc(s), P);
      assertMaps(IOException.class, mapped, s);
      assertTrue(mapped.getMessage().contains("/a/b"), mapped.getMessage());
    }
    RpcException bad = rpc(Status.INVALID_ARGUMENT);
    IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> ErrorMapper.map(bad, P));
    assertSame(bad, iae.getCause());
  }

  @Test
  void lookupsFindNothingThroughAFileOrInADirectory() {
    assertMaps(FileNotFoundException.class, ErrorMapper.lookup(rpc(Status.NOT_DIRECTORY), P), Status.NOT_DIRECTORY);
    assertMaps(FileNotFoundException.class, ErrorMapper.lookup(rpc(Status.IS_DIRECTORY), P), Status.IS_DIRECTORY);
    assertMaps(AccessControlException.class, ErrorMapper.lookup(rpc(Status.PERMISSION_DENIED), P),
        Status.PERMISSION_DENIED);
  }

  @Test
  void createOverADirectoryIsAnExistingPath() {
    assertMaps(FileAlreadyExistsException.class, ErrorMapper.create(rpc(Status.IS_DIRECTORY), P),
        Status.IS_DIRECTORY);
    assertMaps(ParentNotDirectoryException.class, ErrorMapper.create(rpc(Status.NOT_DIRECTORY), P),
        Status.NOT_DIRECTORY);
  }

  @Test
  void inPlaceChangesReportLostRacesAndRefusedFilesAsIoErrors() {
    assertMaps(FileNotFoundException.class, ErrorMapper.edit(rpc(Status.NOT_FOUND), P), Status.NOT_FOUND);
    assertMaps(FileNotFoundException.class, ErrorMapper.edit(rpc(Status.IS_DIRECTORY), P), Status.IS_DIRECTORY);
    assertMaps(FileNotFoundException.class, ErrorMapper.edit(rpc(Status.NOT_DIRECTORY), P), Status.NOT_DIRECTORY);
    assertMaps(AccessControlException.class, ErrorMapper.edit(rpc(Status.PERMISSION_DENIED), P),
        Status.PERMISSION_DENIED);
    IOException stale = ErrorMapper.edit(rpc(Status.STALE), P);
    assertMaps(IOException.class, stale, Status.STALE);
    assertTrue(stale.getMessage().contains("another writer"), stale.getMessage());
    assertMaps(IOException.class, ErrorMapper.edit(rpc(Status.INVALID_ARGUMENT), P), Status.INVALID_ARGUMENT);
    RpcException mounted = rpc(Status.INVALID_ARGUMENT);
    UnsupportedOperationException unsupported = ErrorMapper.underMount(mounted, P, "append");
    assertSame(mounted, unsupported.getCause());
    assertTrue(unsupported.getMessage().contains("rewritten whole"), unsupported.getMessage());
  }
}
