package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.proto.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListStatusOpTest {
  @TempDir
  Path dir;
  NamespaceFixture ns;

  @BeforeEach
  void open() throws Exception {
    ns = new NamespaceFixture(dir);
  }

  @AfterEach
  void close() {
    ns.close();
  }

  @Test
  void listsInUtf8ByteOrderOfNames() throws Exception {
    for (String name : List.of("b", "é", "B", "a", "aa", "a b", "Z")) {
      ns.create(io.sluice.common.proto.CreateFileRequest.newBuilder().setPath("/d/" + name).setRecursive(true)
          .build());
    }
    assertEquals(List.of("B", "Z", "a", "a b", "aa", "b", "é"), ns.names("/d"));
    assertEquals(List.of("d"), ns.names("/"));
  }

  @Test
  void pagesWithStartAfterAndLimit() throws Exception {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String name = String.format("f%02d", i);
      all.add(name);
      if (i == 5) {
        ns.mkdir("/d/" + name + "/sub", true);  // a grandchild is not listed
      } else {
        ns.create(io.sluice.common.proto.CreateFileRequest.newBuilder().setPath("/d/" + name).setRecursive(true)
            .build());
      }
    }
    List<String> seen = new ArrayList<>();
    String after = "";
    ListStatusResponse page;
    do {
      page = ns.list("/d", after, 10);
      assertTrue(page.getEntriesCount() <= 10);
      page.getEntriesList().forEach(e -> seen.add(e.getName()));
      after = seen.get(seen.size() - 1);
    } while (page.getHasMore());
    assertEquals(all, seen);
    assertFalse(ns.list("/d", "", 25).getHasMore());
    assertTrue(ns.list("/d", "", 24).getHasMore());
    // start_after need not name an entry.
    assertEquals("f10", ns.list("/d", "f09x", 1).getEntries(0).getName());
    assertEquals(0, ns.list("/d", "zzz", 5).getEntriesCount());
  }

  @Test
  void listingAFileGivesTheFile() throws Exception {
    FileInfo f = ns.create("/f");
    assertEquals(List.of(f), ns.list("/f", "", 0).getEntriesList());
  }

  @Test
  void listErrors() throws Exception {
    ns.create("/f");
    assertStatus(Status.NOT_FOUND, () -> ns.list("/nope", "", 0));
    assertStatus(Status.NOT_DIRECTORY, () -> ns.list("/f/x", "", 0));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.list("/", "", -1));
  }
}
