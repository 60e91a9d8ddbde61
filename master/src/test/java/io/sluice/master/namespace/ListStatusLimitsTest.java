package io.sluice.master.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.ListStatusResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listing page is bounded whatever the client asks for: the reply frame and the master's work stay bounded. */
class ListStatusLimitsTest {
  @TempDir
  Path dir;

  @Test
  void aHugeLimitGetsAtMostTheCap() throws Exception {
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      ns.mkdir("/d", false);
      int extra = 3;
      for (int i = 0; i < ListStatusOp.MAX_LIMIT + extra; i++) {
        ns.mkdir(String.format("/d/%06d", i), false);
      }
      ListStatusResponse page = ns.list("/d", "", Integer.MAX_VALUE);
      assertEquals(ListStatusOp.MAX_LIMIT, page.getEntriesCount());
      assertTrue(page.getHasMore());
      String last = page.getEntries(page.getEntriesCount() - 1).getName();
      ListStatusResponse rest = ns.list("/d", last, Integer.MAX_VALUE);
      assertEquals(extra, rest.getEntriesCount());
      assertFalse(rest.getHasMore());
      // No limit means the default page, not everything.
      assertEquals(ListStatusOp.DEFAULT_LIMIT, ns.list("/d", "", 0).getEntriesCount());
    }
  }
}
