package io.sluice.ufs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.local.LocalUnderFileSystem;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UfsRegistryTest {
  @TempDir Path dir;

  @Test
  void fileSchemeFindsTheLocalConnectorThroughServiceLoader() throws Exception {
    try (UnderFileSystem ufs = UfsRegistry.load().create(dir.toUri(), Map.of())) {
      assertInstanceOf(LocalUnderFileSystem.class, ufs);
      assertEquals(dir.toRealPath().toUri(), ufs.root());
    }
  }

  @Test
  void unknownOrMissingSchemeIsInvalid() {
    UfsRegistry registry = UfsRegistry.load();
    UfsException e = assertThrows(UfsException.class,
        () -> registry.create(URI.create("nosuch://bucket/x"), Map.of()));
    assertEquals(Kind.INVALID_ARGUMENT, e.kind());
    e = assertThrows(UfsException.class, () -> registry.create(URI.create("relative/path"), Map.of()));
    assertEquals(Kind.INVALID_ARGUMENT, e.kind());
  }

  @Test
  void localRootMustBeAnAbsoluteExistingDirectory() {
    UfsRegistry registry = UfsRegistry.load();
    assertEquals(Kind.NOT_FOUND, assertThrows(UfsException.class,
        () -> registry.create(dir.resolve("missing").toUri(), Map.of())).kind());
    assertEquals(Kind.INVALID_ARGUMENT, assertThrows(UfsException.class,
        () -> registry.create(URI.create("file://host/x"), Map.of())).kind());
  }
}
