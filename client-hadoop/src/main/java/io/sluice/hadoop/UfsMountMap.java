package io.sluice.hadoop;

import io.sluice.client.Mount;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which namespace path of Sluice holds a UFS URI: the reverse of the mount table, for
 * {@link CachingShimFileSystem}. A URI is under a mount when it has the mount's UFS scheme (S3's {@code s3},
 * {@code s3a} and {@code s3n} name one store), the same authority (bucket, name node, none for {@code file}) and a
 * path equal to or below the mount's UFS path. Mounts do not nest in the namespace, but two could name
 * overlapping UFS paths: the longest UFS path wins, the one that sees the file through the fewest directories.
 */
final class UfsMountMap {
  private static final Set<String> S3_SCHEMES = Set.of("s3", "s3a", "s3n");

  private record Entry(String scheme, String authority, String ufsPath, String mountPoint) {}

  private final List<Entry> entries = new ArrayList<>();

  UfsMountMap(List<Mount> mounts) {
    for (Mount m : mounts) {
      URI u = m.ufsUri();
      entries.add(new Entry(scheme(u.getScheme()), authority(u), trimSlash(u.getPath()), m.path()));
    }
    entries.sort((a, b) -> Integer.compare(b.ufsPath.length(), a.ufsPath.length()));
  }

  /** Whether any mount has a UFS of {@code scheme} and {@code authority} (the URI of a file system). */
  boolean covers(URI fileSystem) {
    String s = scheme(fileSystem.getScheme());
    String a = authority(fileSystem);
    return entries.stream().anyMatch(e -> e.scheme.equals(s) && e.authority.equals(a));
  }

  /** The namespace path of {@code uri} (a qualified path), or empty when it is under no mount. */
  Optional<String> namespacePath(URI uri) {
    String s = scheme(uri.getScheme());
    String a = authority(uri);
    String path = trimSlash(uri.getPath());
    for (Entry e : entries) {
      if (!e.scheme.equals(s) || !e.authority.equals(a)) {
        continue;
      }
      if (path.equals(e.ufsPath)) {
        return Optional.of(e.mountPoint);
      }
      if (path.startsWith(e.ufsPath + "/")) {
        return Optional.of(e.mountPoint + path.substring(e.ufsPath.length()));
      }
    }
    return Optional.empty();
  }

  private static String scheme(String s) {
    String lower = s == null ? "" : s.toLowerCase(Locale.ROOT);
    return S3_SCHEMES.contains(lower) ? "s3" : lower;
  }

  /** {@code file:/x} and {@code file:///x} have none; host names compare without case. */
  private static String authority(URI u) {
    return u.getAuthority() == null ? "" : u.getAuthority().toLowerCase(Locale.ROOT);
  }

  /** The UFS root {@code /} becomes the empty string, so {@code ufsPath + "/"} is a prefix of everything below. */
  private static String trimSlash(String p) {
    String s = p == null ? "" : p;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
