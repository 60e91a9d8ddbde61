package io.sluice.ufs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import io.sluice.ufs.UfsException.Kind;
import org.junit.jupiter.api.Test;

class UfsExceptionTest {
  @Test
  void everyKindMapsToAFailureStatus() {
    for (Kind k : Kind.values()) {
      assertNotEquals(Status.OK, k.status(), k.name());
    }
    assertEquals(Status.NOT_FOUND, Kind.NOT_FOUND.status());
    assertEquals(Status.UFS_ERROR, Kind.IO_ERROR.status());
    assertEquals(Status.UFS_ERROR, Kind.UNSUPPORTED.status());
    assertEquals(Status.UNAVAILABLE, Kind.UNAVAILABLE.status());
  }

  @Test
  void messageCarriesThePath() {
    UfsException e = new UfsException(Kind.NOT_FOUND, "a/b", "no such file");
    assertEquals("a/b", e.path());
    assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
    assertEquals("", new UfsException(Kind.IO_ERROR, null, "x").path());
  }
}
