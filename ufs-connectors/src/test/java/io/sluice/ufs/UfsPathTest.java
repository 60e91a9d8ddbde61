package io.sluice.ufs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.UfsException.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UfsPathTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "/", "/etc/passwd", "//x", "a//b", "a/", "a/b/", ".", "..", "../x", "a/../../x", "a/./b", "a/..",
      "..\\x", "a\\b", "\\", "a%2Fb", "a%2fb", "%2F..%2Fetc", "%5c", "a%5Cb", "%2e%2e", "%2E%2E/x", ".%2e",
      "%2e", "a/%2e%2E", "a\0b", "\0", "a%00b", "x/%2e%2e/%2e%2e/etc"})
  void rejectsPathsThatCouldEscapeTheRoot(String crafted) {
    UfsException e = assertThrows(UfsException.class, () -> UfsPath.parse(crafted));
    assertEquals(Kind.INVALID_ARGUMENT, e.kind());
    assertEquals(io.sluice.common.proto.Status.INVALID_ARGUMENT, e.status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "a/b", "a\\b", "%2F", "x\0", "%2e%2e"})
  void childRejectsTheSameNames(String name) {
    UfsException e = assertThrows(UfsException.class, () -> UfsPath.parse("dir").child(name));
    assertEquals(Kind.INVALID_ARGUMENT, e.kind());
  }

  @Test
  void nullIsRejected() {
    assertThrows(UfsException.class, () -> UfsPath.parse(null));
    assertThrows(UfsException.class, () -> UfsPath.ROOT.child(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "...", "..a", "a..", ".hidden", "100%", "%41", "%2e%2e%2e", "a b", "ü/ß", "C:", "~", "$HOME"})
  void literalNamesAreAccepted(String name) throws UfsException {
    assertEquals(name, UfsPath.parse(name).toString());
  }

  @Test
  void structure() throws UfsException {
    UfsPath p = UfsPath.parse("a/b/c");
    assertEquals(List.of("a", "b", "c"), p.segments());
    assertEquals("c", p.name());
    assertEquals(UfsPath.parse("a/b"), p.parent());
    assertEquals(UfsPath.ROOT, UfsPath.parse("a").parent());
    assertEquals(UfsPath.ROOT, UfsPath.ROOT.parent());
    assertEquals(p, UfsPath.parse("a/b").child("c"));
    assertTrue(UfsPath.ROOT.isRoot());
    assertEquals("", UfsPath.parse("").toString());
    assertTrue(UfsPath.parse("a").isAncestorOf(p));
    assertTrue(UfsPath.ROOT.isAncestorOf(p));
    assertFalse(p.isAncestorOf(p));
    assertFalse(UfsPath.parse("a/b/c/d").isAncestorOf(p));
    assertFalse(UfsPath.parse("a/bb").isAncestorOf(UfsPath.parse("a/b/c")));
  }
}
