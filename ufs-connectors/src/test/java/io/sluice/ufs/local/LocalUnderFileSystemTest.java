package io.sluice.ufs.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the local connector promises, checked on the disk itself. */
class LocalUnderFileSystemTest {
  @TempDir Path tmp;
  private Path root;
  private Path outside;
  private LocalUnderFileSystem ufs;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    outside = Files.createDirectory(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "secret");
    ufs = new LocalUnderFileSystem(root);
  }

  @Test
  void oddNamesLandInsideTheRootUnderTheirLiteralName() throws IOException {
    for (String name : List.of("...", "..a", "%2e%2e%2e", "100%")) {
      try (UfsOutputStream out = ufs.create(UfsPath.parse("d/" + name), false)) {
        out.write(1);
      }
      assertTrue(Files.isRegularFile(root.resolve("d").resolve(name)), name);
    }
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(2, s.count(), "nothing written next to the root");
    }
  }

  @Test
  void symbolicLinkOutOfTheRootIsRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("escape"), outside);
    Files.createSymbolicLink(root.resolve("escape-file"), outside.resolve("secret"));
    for (String p : List.of("escape/secret", "escape-file")) {
      UfsPath path = UfsPath.parse(p);
      assertEquals(Kind.PERMISSION_DENIED, assertThrows(UfsException.class, () -> ufs.open(path, 0, -1)).kind());
      assertEquals(Kind.PERMISSION_DENIED, assertThrows(UfsException.class, () -> ufs.getStatus(path)).kind());
    }
    UfsPath into = UfsPath.parse("escape/new");
    assertEquals(Kind.PERMISSION_DENIED, assertThrows(UfsException.class, () -> ufs.create(into, true)).kind());
    assertFalse(Files.exists(outside.resolve("new")));
    // Deleting the tree removes the link, never what it points to.
    Files.createDirectory(root.resolve("tree"));
    Files.createSymbolicLink(root.resolve("tree/link"), outside);
    ufs.delete(UfsPath.parse("tree"), true);
    assertArrayEquals("secret".getBytes(), Files.readAllBytes(outside.resolve("secret")));
  }

  @Test
  void symbolicLinkInsideTheRootIsFollowed() throws IOException {
    Files.createDirectory(root.resolve("real"));
    Files.writeString(root.resolve("real/f"), "data");
    Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
    try (var in = ufs.open(UfsPath.parse("alias/f"), 0, -1)) {
      assertArrayEquals("data".getBytes(), in.readAllBytes());
    }
  }

  @Test
  void abortedAndClosedWritesLeaveNoStagingFiles() throws IOException {
    UfsOutputStream out = ufs.create(UfsPath.parse("a"), false);
    out.write(new byte[1000]);
    out.abort();
    try (UfsOutputStream out2 = ufs.create(UfsPath.parse("b"), false)) {
      out2.write(new byte[1000]);
    }
    try (Stream<Path> s = Files.list(root)) {
      assertEquals(List.of("b"), s.map(p -> p.getFileName().toString()).toList());
    }
  }
}
