package io.sluice.ufs.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.OpenedFile;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsListing;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** What is particular to S3: key layout, objects written by other tools, multipart, mount errors. */
class S3UnderFileSystemTest {
  private static final String BUCKET = "sluice-s3-specific";
  @TempDir static Path workDir;
  private static S3ProxyProcess proxy;
  private static S3Client raw;
  private static Map<String, String> options;

  @BeforeAll
  static void startS3() throws Exception {
    proxy = S3ProxyProcess.start(workDir);
    options = S3UfsContractTest.options(proxy.endpoint());
    raw = S3UfsFactory.client(S3Options.parse(options));
    raw.createBucket(r -> r.bucket(BUCKET));
  }

  @AfterAll
  static void stopS3() {
    if (raw != null) {
      raw.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private static UnderFileSystem mount(String prefix) throws Exception {
    return UfsRegistry.load().create(URI.create("s3://" + BUCKET + "/" + prefix), options);
  }

  private static void put(String key, String content) {
    raw.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromString(content));
  }

  private static Set<String> names(UnderFileSystem ufs, String dir) throws Exception {
    UfsListing page = ufs.list(UfsPath.parse(dir), "", 1000);
    assertFalse(page.hasMore());
    return page.entries().stream().map(s -> s.name() + (s.isDirectory() ? "/" : "")).collect(Collectors.toSet());
  }

  @Test
  void objectsWrittenByOtherToolsShowWithImpliedDirectories() throws Exception {
    put("tools/a/b/c.txt", "c");
    put("tools/a/top.txt", "top");
    try (UnderFileSystem ufs = mount("tools")) {
      assertEquals(Set.of("a/"), names(ufs, ""));
      assertEquals(Set.of("b/", "top.txt"), names(ufs, "a"));
      UfsStatus b = ufs.getStatus(UfsPath.parse("a/b")).orElseThrow();
      assertTrue(b.isDirectory());
      assertEquals(0, b.mtimeMs(), "an implied directory has no time");
      UfsStatus c = ufs.getStatus(UfsPath.parse("a/b/c.txt")).orElseThrow();
      assertEquals(1, c.length());
      assertEquals(raw.headObject(r -> r.bucket(BUCKET).key("tools/a/b/c.txt")).eTag(), c.fingerprint());
      // Deleting the only file of an implied directory makes the directory vanish: S3 has no directories.
      ufs.delete(UfsPath.parse("a/b/c.txt"), false);
      assertTrue(ufs.getStatus(UfsPath.parse("a/b")).isEmpty());
    }
  }

  @Test
  void keysOutsideThePrefixAreInvisible() throws Exception {
    put("jail/inside", "in");
    put("jail-sibling/secret", "no");
    put("jailbreak", "no");
    // Keys with "..", "//" or a backslash cannot even be written through the SDK to S3Proxy (the request path is
    // normalized on the way and the signature no longer matches); UfsPathTest covers those names.
    try (UnderFileSystem ufs = mount("jail")) {
      assertEquals(Set.of("inside"), names(ufs, ""));
      assertThrows(UfsException.class, () -> UfsPath.parse("../jail-sibling/secret"));
      assertTrue(ufs.getStatus(UfsPath.parse("jail-sibling")).isEmpty());
    }
  }

  @Test
  void largeFilesAreUploadedInParts() throws Exception {
    byte[] data = new byte[(5 << 20) * 2 + 17];
    new Random(5).nextBytes(data);
    try (UnderFileSystem ufs = mount("multipart")) {
      UfsPath p = UfsPath.parse("big");
      try (UfsOutputStream out = ufs.create(p, false)) {
        out.write(data);
      }
      // A multipart object's ETag ends in -<number of parts>.
      String etag = raw.headObject(r -> r.bucket(BUCKET).key("multipart/big")).eTag();
      assertTrue(etag.endsWith("-3\""), etag);
      try (InputStream in = ufs.open(p, 0, -1)) {
        assertArrayEquals(data, in.readAllBytes());
      }
      // An aborted multipart upload leaves no object and no pending upload behind.
      UfsPath q = UfsPath.parse("aborted");
      UfsOutputStream out = ufs.create(q, false);
      out.write(data);
      out.abort();
      assertTrue(ufs.getStatus(q).isEmpty());
      assertEquals(List.of(), raw.listMultipartUploads(r -> r.bucket(BUCKET)).uploads());
    }
  }

  @Test
  void mkdirsWritesADirectoryMarker() throws Exception {
    try (UnderFileSystem ufs = mount("markers")) {
      ufs.mkdirs(UfsPath.parse("x/y"));
      assertEquals(0, raw.headObject(r -> r.bucket(BUCKET).key("markers/x/y/")).contentLength());
      assertTrue(ufs.getStatus(UfsPath.parse("x/y")).orElseThrow().mtimeMs() > 0);
      assertEquals(Set.of(), names(ufs, "x/y"), "the marker is not a child");
    }
  }

  @Test
  void openWithStatusIsOneGetThatCarriesTheStatus() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    ExecutionInterceptor counter = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        requests.add(context.request().getClass().getSimpleName());
      }
    };
    S3Options o = S3Options.parse(options);
    S3Client counted = S3UfsFactory.builder(o).overrideConfiguration(c -> c.addExecutionInterceptor(counter)).build();
    put("with-status/f", "hello world");
    put("with-status/d/x", "x");
    try (UnderFileSystem ufs = new S3UnderFileSystem(URI.create("s3://" + BUCKET + "/with-status"), counted,
        o.partSize())) {
      UfsPath f = UfsPath.parse("f");
      requests.clear();
      OpenedFile opened = ufs.openWithStatus(f, 6, 5).orElseThrow();
      try (InputStream in = opened.in()) {
        assertEquals("world", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      assertEquals(List.of("GetObjectRequest"), requests, "no HEAD before the GET");
      assertEquals(ufs.getStatus(f).orElseThrow(), opened.status(), "the GET's status is the HEAD's");

      // Rewritten with the same length: only the fingerprint tells, and it comes with the bytes.
      put("with-status/f", "HELLO WORLD");
      UfsStatus now = ufs.openWithStatus(f, 0, 5).orElseThrow().status();
      assertEquals(11, now.length());
      assertEquals(raw.headObject(r -> r.bucket(BUCKET).key("with-status/f")).eTag(), now.fingerprint());
      assertNotEquals(opened.status().fingerprint(), now.fingerprint());

      // A range past the end, a directory, nothing: no bytes, and the status says which.
      OpenedFile past = ufs.openWithStatus(f, 20, 5).orElseThrow();
      assertEquals(11, past.status().length());
      assertEquals(-1, past.in().read());
      OpenedFile dir = ufs.openWithStatus(UfsPath.parse("d"), 0, 5).orElseThrow();
      assertTrue(dir.status().isDirectory());
      assertEquals(-1, dir.in().read());
      assertTrue(ufs.openWithStatus(UfsPath.parse("none"), 0, 5).isEmpty());
    }
  }

  @Test
  void mountErrors() throws Exception {
    UfsRegistry registry = UfsRegistry.load();
    assertEquals(Kind.NOT_FOUND, assertThrows(UfsException.class,
        () -> registry.create(URI.create("s3://no-such-bucket/x"), options)).kind());
    Map<String, String> wrongKey = new HashMap<>(options);
    wrongKey.put(S3Options.SECRET_KEY, "wrong");
    assertEquals(Kind.PERMISSION_DENIED, assertThrows(UfsException.class,
        () -> registry.create(URI.create("s3://" + BUCKET), wrongKey)).kind());
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Map<String, String> unreachable = new HashMap<>(options);
    unreachable.put(S3Options.ENDPOINT, "http://127.0.0.1:" + closedPort);
    assertEquals(Kind.UNAVAILABLE, assertThrows(UfsException.class,
        () -> registry.create(URI.create("s3://" + BUCKET), unreachable)).kind());
    assertEquals(Kind.INVALID_ARGUMENT, assertThrows(UfsException.class,
        () -> registry.create(URI.create("s3://" + BUCKET + "/a/../b"), options)).kind());
  }
}
