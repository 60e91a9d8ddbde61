package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FuseSupportTest {
  @Test
  void aJvmWhoseCharsetIsNotUtf8MayNotMountAndIsToldWhy() {
    assertEquals(Optional.empty(), FuseSupport.charsetProblem(StandardCharsets.UTF_8));
    String why = FuseSupport.charsetProblem(StandardCharsets.US_ASCII).orElseThrow();
    assertTrue(why.contains("US-ASCII") && why.contains("LC_ALL=C.UTF-8"), why);
  }
}
