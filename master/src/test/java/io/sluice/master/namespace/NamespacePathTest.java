package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamespacePathTest {
  @Test
  void parsesNames() throws Exception {
    NamespacePath p = NamespacePath.parse("/a/b c/é");
    assertEquals(List.of("a", "b c", "é"), p.names());
    assertEquals("é", p.name());
    assertEquals("/a/b c", p.parent().toString());
    assertEquals("/a", p.prefix(1));
    assertTrue(NamespacePath.parse("/").isRoot());
    assertEquals(NamespacePath.parse("/"), NamespacePath.parse("/a").parent());
  }

  @Test
  void containsIsByWholeNames() throws Exception {
    NamespacePath a = NamespacePath.parse("/a");
    assertTrue(a.contains(NamespacePath.parse("/a/b")));
    assertTrue(a.contains(a));
    assertFalse(a.contains(NamespacePath.parse("/ab")));
    assertTrue(NamespacePath.parse("/").contains(a));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a/b", "/a/", "//a", "/a//b", "/a/./b", "/a/../b", "/..", "/.", "/a\0b"})
  void rejectsMalformed(String path) {
    assertStatus(Status.INVALID_ARGUMENT, () -> NamespacePath.parse(path));
  }

  @Test
  void rejectsLongNames() throws Exception {
    NamespacePath.parse("/" + "x".repeat(255));
    assertStatus(Status.INVALID_ARGUMENT, () -> NamespacePath.parse("/" + "x".repeat(256)));
    assertStatus(Status.INVALID_ARGUMENT, () -> NamespacePath.parse("/" + "é".repeat(128)));
  }
}
