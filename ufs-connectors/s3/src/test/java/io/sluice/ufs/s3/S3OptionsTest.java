package io.sluice.ufs.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3OptionsTest {
  @Test
  void defaults() throws UfsException {
    S3Options o = S3Options.parse(Map.of("unrelated.key", "x"));
    assertEquals(Optional.empty(), o.endpoint());
    assertEquals(Optional.empty(), o.accessKey());
    assertFalse(o.pathStyle());
    assertEquals(8 << 20, o.partSize());
  }

  @Test
  void everything() throws UfsException {
    S3Options o = S3Options.parse(Map.of(S3Options.ENDPOINT, "http://127.0.0.1:9000", S3Options.REGION, "eu-west-1",
        S3Options.PATH_STYLE, "true", S3Options.ACCESS_KEY, "ak", S3Options.SECRET_KEY, "sk-secret",
        S3Options.PART_SIZE, "16m"));
    assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), o.endpoint());
    assertEquals(Optional.of("eu-west-1"), o.region());
    assertTrue(o.pathStyle());
    assertEquals(16 << 20, o.partSize());
    assertFalse(o.toString().contains("sk-secret"), "the secret never shows in logs");
  }

  @Test
  void invalidOptionsAreNamed() {
    for (Map<String, String> bad : List.of(
        Map.of(S3Options.PART_SIZE, "1m"), Map.of(S3Options.PART_SIZE, "lots"),
        Map.of(S3Options.PATH_STYLE, "yes"), Map.of(S3Options.ACCESS_KEY, "only-access"),
        Map.of(S3Options.ENDPOINT, "not a url"), Map.of(S3Options.ENDPOINT, "localhost"))) {
      UfsException e = assertThrows(UfsException.class, () -> S3Options.parse(bad), bad::toString);
      assertEquals(Kind.INVALID_ARGUMENT, e.kind());
      assertTrue(e.getMessage().startsWith("S3 option s3."), e.getMessage());
    }
  }

  @Test
  void layoutOfRoots() throws UfsException {
    assertEquals(new S3Layout("b", ""), S3Layout.of(URI.create("s3://b")));
    assertEquals(new S3Layout("b", ""), S3Layout.of(URI.create("s3://b/")));
    assertEquals(new S3Layout("b", "p/q/"), S3Layout.of(URI.create("s3://b/p/q/")));
    assertThrows(UfsException.class, () -> S3Layout.of(URI.create("s3:///nobucket")));
    assertThrows(UfsException.class, () -> S3Layout.of(URI.create("s3://b/p/../q")));
    assertThrows(UfsException.class, () -> S3Layout.of(URI.create("s3://b/p%2F..")));
  }
}
