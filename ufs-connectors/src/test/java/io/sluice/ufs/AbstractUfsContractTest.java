package io.sluice.ufs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.UfsException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;

/**
 * The one contract every {@link UnderFileSystem} passes (STYLE 16). A connector's test extends it and supplies a
 * connected {@link #ufs()} over a real store; each test works in its own fresh directory under the root and deletes it
 * afterwards. Where stores legitimately differ the test branches on {@link UnderFileSystem#capabilities()}, never on
 * the connector's type.
 */
public abstract class AbstractUfsContractTest {
  /** The connector under test, connected to an empty or test-owned root. */
  protected abstract UnderFileSystem ufs();

  /** Size of the file in {@link #largeFileRoundTrips()}; S3 raises it past its multipart threshold. */
  protected int largeFileSize() {
    return 1 << 20;
  }

  /** This test's own directory under the root. */
  protected UfsPath base;

  @BeforeEach
  void makeBase(TestInfo info) throws IOException {
    String method = info.getTestMethod().orElseThrow().getName();
    base = UfsPath.parse("contract-" + method + "-" + Long.toHexString(System.nanoTime()));
    ufs().mkdirs(base);
  }

  @AfterEach
  void removeBase() throws IOException {
    if (ufs().getStatus(base).isPresent()) {
      ufs().delete(base, true);
    }
  }

  // ---- helpers

  protected UfsPath path(String relative) throws UfsException {
    return UfsPath.parse(base + "/" + relative);
  }

  protected void write(UfsPath p, byte[] data, boolean overwrite) throws IOException {
    try (UfsOutputStream out = ufs().create(p, overwrite)) {
      out.write(data);
    }
  }

  protected void write(UfsPath p, byte[] data) throws IOException {
    write(p, data, false);
  }

  protected byte[] read(UfsPath p, long offset, long length) throws IOException {
    try (InputStream in = ufs().open(p, offset, length)) {
      return in.readAllBytes();
    }
  }

  protected static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  protected static void assertKind(Kind kind, Executable op) {
    UfsException e = assertThrows(UfsException.class, op);
    assertEquals(kind, e.kind(), () -> "wrong kind: " + e);
  }

  /** Lists every page of {@code dir}; fails if a page exceeds {@code limit}. */
  protected List<List<UfsStatus>> pages(UfsPath dir, int limit) throws IOException {
    List<List<UfsStatus>> pages = new ArrayList<>();
    String cursor = "";
    for (int guard = 0; guard < 1_000; guard++) {
      UfsListing page = ufs().list(dir, cursor, limit);
      assertTrue(page.entries().size() <= limit, "page larger than the limit: " + page.entries().size());
      pages.add(page.entries());
      if (!page.hasMore()) {
        return pages;
      }
      cursor = page.next();
    }
    throw new AssertionError("listing never ended");
  }

  /** Children of {@code dir} by name; fails on a name listed twice. */
  protected Map<String, UfsStatus> children(UfsPath dir, int limit) throws IOException {
    Map<String, UfsStatus> byName = new HashMap<>();
    for (List<UfsStatus> page : pages(dir, limit)) {
      for (UfsStatus s : page) {
        assertEquals(dir, s.path().parent(), "entry not a child of the listed directory: " + s);
        assertTrue(byName.put(s.name(), s) == null, "listed twice: " + s.name());
      }
    }
    return byName;
  }

  private boolean has(UfsCapability c) {
    return ufs().capabilities().contains(c);
  }

  // ---- status

  @Test
  void rootIsADirectory() throws IOException {
    UfsStatus root = ufs().getStatus(UfsPath.ROOT).orElseThrow();
    assertTrue(root.isDirectory());
    assertEquals(UfsPath.ROOT, root.path());
  }

  @Test
  void statusOfFileDirectoryAndMissing() throws IOException {
    UfsPath file = path("f.bin");
    UfsPath dir = path("d");
    long before = System.currentTimeMillis();
    write(file, bytes(1234, 1));
    ufs().mkdirs(dir);

    UfsStatus f = ufs().getStatus(file).orElseThrow();
    assertFalse(f.isDirectory());
    assertEquals(file, f.path());
    assertEquals("f.bin", f.name());
    assertEquals(1234, f.length());
    assertFalse(f.fingerprint().isEmpty());
    // Store clocks round to the second; the slack allows for that, not for a wrong unit.
    assertTrue(Math.abs(f.mtimeMs() - before) < 120_000, "mtime " + f.mtimeMs() + " vs now " + before);

    UfsStatus d = ufs().getStatus(dir).orElseThrow();
    assertTrue(d.isDirectory());
    assertEquals(0, d.length());
    assertEquals("", d.fingerprint());

    assertEquals(Optional.empty(), ufs().getStatus(path("missing")));
    assertEquals(Optional.empty(), ufs().getStatus(path("missing/deeper")));
    assertEquals(Optional.empty(), ufs().getStatus(path("d/missing")));
    assertEquals(Optional.empty(), ufs().getStatus(path("f.bin/below")), "nothing lies under a file");
  }

  @Test
  void fingerprintChangesWhenContentChanges() throws IOException {
    UfsPath file = path("f");
    write(file, "first".getBytes());
    String first = ufs().getStatus(file).orElseThrow().fingerprint();
    assertEquals(first, ufs().getStatus(file).orElseThrow().fingerprint(), "fingerprint not stable");
    write(file, "other".getBytes(), true);
    assertNotEquals(first, ufs().getStatus(file).orElseThrow().fingerprint());
  }

  // ---- listing

  @Test
  void pagedListingReturnsEveryChildExactlyOnce() throws IOException {
    UfsPath dir = path("many");
    Set<String> files = new TreeSet<>();
    for (int i = 0; i < 23; i++) {
      String name = String.format("file-%02d", i);
      files.add(name);
      write(dir.child(name), bytes(i, i));
    }
    Set<String> dirs = Set.of("dir-a", "dir-b", "zz");
    for (String d : dirs) {
      ufs().mkdirs(dir.child(d));
    }
    // A directory with content lists once, as a directory, and its content does not leak into the parent.
    write(dir.child("dir-a").child("inner"), bytes(7, 7));

    List<List<UfsStatus>> pages = pages(dir, 5);
    assertTrue(pages.size() >= 6, "26 entries in pages of 5 need at least 6 pages, got " + pages.size());
    Map<String, UfsStatus> all = children(dir, 5);
    Set<String> expected = new TreeSet<>(files);
    expected.addAll(dirs);
    assertEquals(expected, new TreeSet<>(all.keySet()));
    for (String name : files) {
      UfsStatus s = all.get(name);
      assertFalse(s.isDirectory(), name);
      assertEquals(Integer.parseInt(name.substring(5)), s.length(), name);
    }
    for (String d : dirs) {
      assertTrue(all.get(d).isDirectory(), d);
    }
    // A listing says what a status says: callers compare fingerprints from either.
    for (UfsStatus listed : all.values()) {
      UfsStatus direct = ufs().getStatus(listed.path()).orElseThrow();
      assertEquals(direct.isDirectory(), listed.isDirectory(), listed.name());
      assertEquals(direct.length(), listed.length(), listed.name());
      assertEquals(direct.fingerprint(), listed.fingerprint(), listed.name());
    }
    // One big page gives the same set.
    assertEquals(expected, new TreeSet<>(children(dir, 1000).keySet()));
    assertEquals(Set.of("inner"), children(dir.child("dir-a"), 1).keySet());
  }

  @Test
  void listingEmptyMissingAndFile() throws IOException {
    UfsPath empty = path("empty");
    ufs().mkdirs(empty);
    UfsListing page = ufs().list(empty, "", 10);
    assertEquals(List.of(), page.entries());
    assertFalse(page.hasMore());

    assertKind(Kind.NOT_FOUND, () -> ufs().list(path("missing"), "", 10));
    UfsPath file = path("file");
    write(file, bytes(3, 3));
    assertKind(Kind.NOT_DIRECTORY, () -> ufs().list(file, "", 10));
    assertKind(Kind.INVALID_ARGUMENT, () -> ufs().list(empty, "", 0));
  }

  // ---- reads

  @Test
  void rangedReads() throws IOException {
    UfsPath file = path("r.bin");
    byte[] data = bytes(10_000, 42);
    write(file, data);

    assertArrayEquals(data, read(file, 0, -1));
    assertArrayEquals(data, read(file, 0, 10_000));
    assertArrayEquals(slice(data, 100, 50), read(file, 100, 50));
    assertArrayEquals(slice(data, 9_990, 10), read(file, 9_990, 100), "a range past the end is cut at the end");
    assertArrayEquals(slice(data, 5_000, 5_000), read(file, 5_000, -1));
    assertArrayEquals(new byte[0], read(file, 10_000, 10), "offset at the end");
    assertArrayEquals(new byte[0], read(file, 20_000, -1), "offset past the end");
    assertArrayEquals(new byte[0], read(file, 10, 0));

    // Closing before the end must not read (or hang on) the rest.
    try (InputStream in = ufs().open(file, 0, -1)) {
      assertEquals(data[0] & 0xff, in.read());
    }
  }

  private static byte[] slice(byte[] data, int from, int len) {
    byte[] b = new byte[len];
    System.arraycopy(data, from, b, 0, len);
    return b;
  }

  @Test
  void readErrors() throws IOException {
    UfsPath dir = path("d");
    ufs().mkdirs(dir);
    assertKind(Kind.NOT_FOUND, () -> read(path("missing"), 0, -1));
    assertKind(Kind.NOT_FOUND, () -> read(path("missing"), 5, 0));
    assertKind(Kind.IS_DIRECTORY, () -> read(dir, 0, -1));
    UfsPath file = path("f");
    write(file, bytes(10, 1));
    assertKind(Kind.INVALID_ARGUMENT, () -> read(file, -1, 5));
    assertKind(Kind.NOT_FOUND, () -> read(path("f/below"), 0, -1));
  }

  @Test
  void emptyFile() throws IOException {
    UfsPath file = path("empty");
    write(file, new byte[0]);
    assertEquals(0, ufs().getStatus(file).orElseThrow().length());
    assertArrayEquals(new byte[0], read(file, 0, -1));
  }

  @Test
  void largeFileRoundTrips() throws IOException {
    UfsPath file = path("large");
    byte[] data = bytes(largeFileSize(), 99);
    try (UfsOutputStream out = ufs().create(file, false)) {
      // Odd-sized writes cross every internal buffer and part boundary.
      for (int off = 0; off < data.length; off += 65_537) {
        out.write(data, off, Math.min(65_537, data.length - off));
      }
    }
    assertEquals(data.length, ufs().getStatus(file).orElseThrow().length());
    assertArrayEquals(data, read(file, 0, -1));
    int mid = data.length / 2;
    assertArrayEquals(slice(data, mid, 1000), read(file, mid, 1000));
  }

  // ---- create

  @Test
  void createdFileIsInvisibleUntilClose() throws IOException {
    UfsPath dir = path("w");
    ufs().mkdirs(dir);
    write(dir.child("existing"), bytes(5, 5));
    UfsPath file = dir.child("new");
    byte[] data = bytes(300_000, 8);
    try (UfsOutputStream out = ufs().create(file, false)) {
      out.write(data, 0, 200_000);
      out.flush();
      assertEquals(Optional.empty(), ufs().getStatus(file));
      // Nothing else shows up either: no staging file under another name.
      assertEquals(Set.of("existing"), children(dir, 10).keySet());
      out.write(data, 200_000, 100_000);
    }
    assertEquals(data.length, ufs().getStatus(file).orElseThrow().length());
    assertArrayEquals(data, read(file, 0, -1));
    assertEquals(Set.of("existing", "new"), children(dir, 10).keySet());
  }

  @Test
  void createMakesMissingAncestors() throws IOException {
    UfsPath file = path("a/b/c/f");
    write(file, bytes(4, 4));
    assertTrue(ufs().getStatus(path("a/b/c")).orElseThrow().isDirectory());
    assertTrue(ufs().getStatus(path("a")).orElseThrow().isDirectory());
    assertArrayEquals(bytes(4, 4), read(file, 0, -1));
  }

  @Test
  void overwriteSemantics() throws IOException {
    UfsPath file = path("f");
    write(file, "old".getBytes());
    assertKind(Kind.ALREADY_EXISTS, () -> ufs().create(file, false));
    assertArrayEquals("old".getBytes(), read(file, 0, -1));

    try (UfsOutputStream out = ufs().create(file, true)) {
      out.write("new content".getBytes());
      assertArrayEquals("old".getBytes(), read(file, 0, -1), "old content until close");
    }
    assertArrayEquals("new content".getBytes(), read(file, 0, -1));
    assertEquals(11, ufs().getStatus(file).orElseThrow().length());
  }

  @Test
  void abortLeavesNothingBehind() throws IOException {
    UfsPath dir = path("ab");
    ufs().mkdirs(dir);
    UfsPath fresh = dir.child("fresh");
    UfsOutputStream out = ufs().create(fresh, false);
    out.write(bytes(100_000, 3));
    out.abort();
    out.close();
    assertEquals(Optional.empty(), ufs().getStatus(fresh));
    assertEquals(Set.of(), children(dir, 10).keySet());

    UfsPath kept = dir.child("kept");
    write(kept, "keep me".getBytes());
    out = ufs().create(kept, true);
    out.write("replacement".getBytes());
    out.abort();
    assertArrayEquals("keep me".getBytes(), read(kept, 0, -1));
    assertEquals(Set.of("kept"), children(dir, 10).keySet());
  }

  @Test
  void createErrors() throws IOException {
    UfsPath dir = path("d");
    ufs().mkdirs(dir);
    assertKind(Kind.IS_DIRECTORY, () -> ufs().create(dir, true));
    assertKind(Kind.IS_DIRECTORY, () -> ufs().create(dir, false));
    assertKind(Kind.INVALID_ARGUMENT, () -> ufs().create(UfsPath.ROOT, true));
    if (has(UfsCapability.DIRECTORIES)) {
      UfsPath file = path("file");
      write(file, bytes(1, 1));
      assertKind(Kind.NOT_DIRECTORY, () -> ufs().create(file.child("under"), false));
    }
  }

  // ---- delete

  @Test
  void deleteFilesAndDirectories() throws IOException {
    UfsPath file = path("f");
    write(file, bytes(10, 1));
    ufs().delete(file, false);
    assertEquals(Optional.empty(), ufs().getStatus(file));
    assertKind(Kind.NOT_FOUND, () -> ufs().delete(file, false));
    assertKind(Kind.NOT_FOUND, () -> ufs().delete(path("missing"), true));

    UfsPath empty = path("empty");
    ufs().mkdirs(empty);
    ufs().delete(empty, false);
    assertEquals(Optional.empty(), ufs().getStatus(empty));

    UfsPath tree = path("tree");
    write(tree.child("a"), bytes(1, 1));
    write(UfsPath.parse(tree + "/sub/deeper/b"), bytes(2, 2));
    ufs().mkdirs(tree.child("emptysub"));
    assertKind(Kind.NOT_EMPTY, () -> ufs().delete(tree, false));
    assertTrue(ufs().getStatus(tree.child("a")).isPresent(), "a failed delete removes nothing");
    ufs().delete(tree, true);
    assertEquals(Optional.empty(), ufs().getStatus(tree));
    assertEquals(Optional.empty(), ufs().getStatus(UfsPath.parse(tree + "/sub/deeper/b")));

    assertKind(Kind.INVALID_ARGUMENT, () -> ufs().delete(UfsPath.ROOT, true));
  }

  @Test
  void deleteIsExactAboutNames() throws IOException {
    // A sibling whose name starts with the deleted name survives (object stores match by prefix).
    write(path("x/data"), bytes(1, 1));
    write(path("x-other/data"), bytes(1, 1));
    write(path("xfile"), bytes(1, 1));
    ufs().delete(path("x"), true);
    assertTrue(ufs().getStatus(path("x-other/data")).isPresent());
    assertTrue(ufs().getStatus(path("xfile")).isPresent());
  }

  // ---- rename

  @Test
  void renameFile() throws IOException {
    UfsPath src = path("src");
    byte[] data = bytes(5_000, 5);
    write(src, data);
    UfsPath dst = path("elsewhere/deep/dst");
    ufs().rename(src, dst);
    assertEquals(Optional.empty(), ufs().getStatus(src));
    assertArrayEquals(data, read(dst, 0, -1));
    assertEquals(5_000, ufs().getStatus(dst).orElseThrow().length());

    UfsPath other = path("other");
    write(other, bytes(1, 1));
    assertKind(Kind.ALREADY_EXISTS, () -> ufs().rename(dst, other));
    assertArrayEquals(data, read(dst, 0, -1));
    assertArrayEquals(bytes(1, 1), read(other, 0, -1));
    assertKind(Kind.NOT_FOUND, () -> ufs().rename(path("missing"), path("any")));
    assertKind(Kind.INVALID_ARGUMENT, () -> ufs().rename(UfsPath.ROOT, path("r")));
  }

  @Test
  void renameDirectory() throws IOException {
    UfsPath src = path("srcdir");
    write(src.child("a"), bytes(3, 3));
    write(UfsPath.parse(src + "/sub/b"), bytes(4, 4));
    UfsPath dst = path("dstdir");
    assertKind(Kind.INVALID_ARGUMENT, () -> ufs().rename(src, src.child("inside")));
    if (!has(UfsCapability.ATOMIC_RENAME)) {
      assertKind(Kind.UNSUPPORTED, () -> ufs().rename(src, dst));
      assertTrue(ufs().getStatus(src.child("a")).isPresent());
      return;
    }
    ufs().rename(src, dst);
    assertEquals(Optional.empty(), ufs().getStatus(src));
    assertArrayEquals(bytes(3, 3), read(dst.child("a"), 0, -1));
    assertArrayEquals(bytes(4, 4), read(UfsPath.parse(dst + "/sub/b"), 0, -1));
    assertEquals(Set.of("a", "sub"), children(dst, 10).keySet());
  }

  // ---- mkdirs

  @Test
  void mkdirsMakesAncestorsAndIsIdempotent() throws IOException {
    UfsPath deep = path("m/n/o");
    ufs().mkdirs(deep);
    ufs().mkdirs(deep);
    assertTrue(ufs().getStatus(deep).orElseThrow().isDirectory());
    assertTrue(ufs().getStatus(path("m/n")).orElseThrow().isDirectory());
    assertEquals(Set.of("n"), children(path("m"), 10).keySet());
    ufs().mkdirs(UfsPath.ROOT);

    UfsPath file = path("file");
    write(file, bytes(1, 1));
    assertKind(Kind.ALREADY_EXISTS, () -> ufs().mkdirs(file));
    if (has(UfsCapability.DIRECTORIES)) {
      assertKind(Kind.NOT_DIRECTORY, () -> ufs().mkdirs(file.child("sub")));
    }
  }

  // ---- names

  @Test
  void escapeAttemptsAreRejectedBeforeReachingTheStore() {
    for (String crafted : List.of("../outside", "a/../../outside", "/etc/passwd", "a%2F..%2F..%2Foutside",
        "..%5coutside", "a\\..\\b", "a\0b", "a//b", "%2e%2e/x")) {
      assertKind(Kind.INVALID_ARGUMENT, () -> ufs().getStatus(UfsPath.parse(base + "/" + crafted)));
    }
  }

  @Test
  void oddButLegalNamesAreLiteral() throws IOException {
    UfsPath dir = path("names");
    Set<String> names =
        new HashSet<>(List.of("...", "..a", "a..", "100%", "%41", "with space", "ünïcödé", "a=b&c"));
    for (String n : names) {
      write(dir.child(n), n.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(names, children(dir, 3).keySet());
    for (String n : names) {
      assertArrayEquals(n.getBytes(StandardCharsets.UTF_8), read(dir.child(n), 0, -1), n);
    }
  }
}
