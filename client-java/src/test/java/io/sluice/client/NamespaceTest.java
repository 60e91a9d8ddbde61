package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.master.DirectoryListing;
import io.sluice.client.testing.FakeCluster;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Metadata operations against the fake master: results, paging, and the statuses errors carry. */
class NamespaceTest {
  private FakeCluster cluster;
  private SluiceClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = FakeCluster.start(1);
    client = SluiceClient.connect(cluster.conf().with(ClientKeys.LIST_PAGE_SIZE, "3"));
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private static RpcException assertStatus(Status expected, String pathInMessage, Executable op) {
    RpcException e = assertThrows(RpcException.class, op);
    assertEquals(expected, e.status(), e.getMessage());
    assertTrue(e.getMessage().contains(pathInMessage), e.getMessage());
    return e;
  }

  private void touch(String path) throws Exception {
    client.create(path).close();
  }

  @Test
  void mkdirAndGetStatus() throws Exception {
    FileInfo d = client.mkdir("/a", false);
    assertEquals(FileType.DIRECTORY, d.getType());
    assertEquals("a", client.getStatus("/a").getName());
    client.mkdir("/x/y/z", true);
    assertEquals(FileType.DIRECTORY, client.getStatus("/x/y").getType());
    client.mkdir("/x/y/z", true); // recursive: an existing directory is fine
    assertStatus(Status.ALREADY_EXISTS, "/a", () -> client.mkdir("/a", false));
    assertStatus(Status.NOT_FOUND, "/p/q", () -> client.mkdir("/p/q", false));
  }

  @Test
  void missingPathIsNotFoundWithThePath() {
    assertStatus(Status.NOT_FOUND, "/nope", () -> client.getStatus("/nope"));
    assertStatus(Status.NOT_FOUND, "/nope", () -> client.open("/nope"));
    assertStatus(Status.NOT_FOUND, "/nope", () -> client.listStatus("/nope"));
    assertStatus(Status.NOT_FOUND, "/nope", () -> client.delete("/nope", true));
    assertStatus(Status.NOT_FOUND, "/nope", () -> client.rename("/nope", "/other"));
  }

  @Test
  void relativePathsAreRejectedBeforeAnyCall() {
    assertStatus(Status.INVALID_ARGUMENT, "a/b", () -> client.getStatus("a/b"));
    assertStatus(Status.INVALID_ARGUMENT, "rel", () -> client.create("rel"));
    assertStatus(Status.INVALID_ARGUMENT, "rel", () -> client.rename("/a", "rel"));
    assertStatus(Status.INVALID_ARGUMENT, "null", () -> client.mkdir(null, true));
  }

  @Test
  void fileAndDirectoryMismatches() throws Exception {
    client.mkdir("/d", false);
    touch("/d/f");
    assertStatus(Status.IS_DIRECTORY, "/d", () -> client.open("/d"));
    assertStatus(Status.IS_DIRECTORY, "/d", () -> client.create("/d"));
    assertStatus(Status.NOT_DIRECTORY, "/d/f", () -> client.listStatus("/d/f"));
    assertStatus(Status.ALREADY_EXISTS, "/d/f", () -> client.create("/d/f"));
    assertStatus(Status.NOT_FOUND, "/e/f", () -> client.create("/e/f"));
    client.create("/e/f", CreateOptions.defaults().withRecursive(true)).close();
    assertEquals(FileType.FILE, client.getStatus("/e/f").getType());
  }

  @Test
  void listStatusPagesLazilyInNameOrder() throws Exception {
    client.mkdir("/dir", false);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      names.add("f" + i);
      touch("/dir/f" + i);
    }
    client.mkdir("/dir/sub/deeper", true); // a child directory with its own child: listed once, not descended
    names.add("sub");

    List<String> seen = new ArrayList<>();
    for (FileInfo f : client.listStatus("/dir")) {
      seen.add(f.getName());
    }
    assertEquals(names, seen);
    assertEquals(names, client.listStatusAll("/dir").stream().map(FileInfo::getName).toList());

    // Paging is lazy: deleting entries after the first page was fetched is seen by the iterator.
    DirectoryListing listing = client.listStatus("/dir");
    client.delete("/dir/f9", false);
    Iterator<FileInfo> it = listing.iterator();
    int count = 0;
    while (it.hasNext()) {
      assertFalse(it.next().getName().equals("f9"));
      count++;
    }
    assertEquals(10, count);
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void emptyDirectoryListsNothing() throws Exception {
    client.mkdir("/empty", false);
    assertFalse(client.listStatus("/empty").iterator().hasNext());
    assertEquals(List.of(), client.listStatusAll("/empty"));
  }

  @Test
  void deleteNeedsRecursiveForANonEmptyDirectory() throws Exception {
    client.mkdir("/t/u", true);
    touch("/t/u/f");
    assertStatus(Status.NOT_EMPTY, "/t", () -> client.delete("/t", false));
    client.delete("/t/u/f", false);
    client.delete("/t", true);
    assertStatus(Status.NOT_FOUND, "/t/u", () -> client.getStatus("/t/u"));
  }

  @Test
  void renameMovesASubtree() throws Exception {
    client.mkdir("/src/in", true);
    touch("/src/in/f");
    client.mkdir("/dst", false);
    client.rename("/src", "/dst/moved");
    assertEquals(FileType.FILE, client.getStatus("/dst/moved/in/f").getType());
    assertStatus(Status.NOT_FOUND, "/src", () -> client.getStatus("/src"));
    touch("/g");
    RpcException e = assertStatus(Status.ALREADY_EXISTS, "/g", () -> client.rename("/dst/moved/in/f", "/g"));
    assertTrue(e.getMessage().contains("/g"));
  }

  @Test
  void clusterInfoListsTheWorkers() throws Exception {
    assertEquals(1, client.clusterInfo().getWorkersCount());
  }

  @Test
  void badClientSettingsFailAtConnectNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SluiceClient.connect(cluster.conf().with(ClientKeys.READ_WINDOW, "0")));
    assertTrue(e.getMessage().contains(ClientKeys.READ_WINDOW.name()), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SluiceClient.connect(cluster.conf().with(ClientKeys.WRITE_CHUNK_SIZE, "64m")));
    assertTrue(e.getMessage().contains(ClientKeys.WRITE_CHUNK_SIZE.name()), e.getMessage());
  }
}
