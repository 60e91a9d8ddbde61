package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.fuse.FuseSupport;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need a real FUSE mount: they are skipped when this host cannot mount (no
 * {@code /dev/fuse}, no libfuse2), except that with {@code SLUICE_REQUIRE_FUSE=1} in the environment (CI hosts that
 * are meant to have FUSE) a missing FUSE fails them instead.
 */
public final class FuseRequirement {
  private FuseRequirement() {}

  public static void assumeFuse() {
    Optional<String> missing = FuseSupport.missing();
    if (missing.isEmpty()) {
      return;
    }
    if ("1".equals(System.getenv("SLUICE_REQUIRE_FUSE"))) {
      fail("SLUICE_REQUIRE_FUSE=1 but FUSE is unavailable: " + missing.get());
    }
    Assumptions.abort("FUSE is unavailable: " + missing.get());
  }
}
