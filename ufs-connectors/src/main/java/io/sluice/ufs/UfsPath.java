package io.sluice.ufs;

import io.sluice.ufs.UfsException.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A path relative to a connector's mounted root: zero or more names joined by {@code /}, the root being the empty
 * path. This is the one place where a path from outside is checked: connectors take only {@code UfsPath}s, and the
 * only ways to make one ({@link #parse}, {@link #child}) reject everything that could reach outside the root once a
 * store or a later decoding step interprets it:
 * <ul>
 *   <li>an absolute path ({@code /a}) and empty segments ({@code a//b}, {@code a/});</li>
 *   <li>the segments {@code .} and {@code ..}, also percent-encoded ({@code %2e%2e}, {@code .%2E});</li>
 *   <li>a backslash and an encoded separator or NUL ({@code %2F}, {@code %2f}, {@code %5C}, {@code %00}): some stores
 *       and HTTP layers decode or translate them into separators;</li>
 *   <li>a NUL character, which truncates names in native code.</li>
 * </ul>
 * Anything else, including names like {@code ...}, {@code ..a} or {@code 100%}, is a literal name. Instances are
 * immutable; {@link #toString()} gives the path back in its parsed form.
 */
public final class UfsPath {
  public static final UfsPath ROOT = new UfsPath(List.of());

  private final List<String> segments;

  private UfsPath(List<String> segments) {
    this.segments = segments;
  }

  /**
   * Parses a root-relative path.
   *
   * @throws UfsException of kind {@link Kind#INVALID_ARGUMENT} when the path is malformed or could escape the root
   */
  public static UfsPath parse(String path) throws UfsException {
    if (path == null) {
      throw invalid("", "null path");
    }
    if (path.isEmpty()) {
      return ROOT;
    }
    if (path.startsWith("/")) {
      throw invalid(path, "absolute path; a UFS path is relative to the mounted root");
    }
    List<String> parts = new ArrayList<>();
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      String segment = slash < 0 ? path.substring(start) : path.substring(start, slash);
      checkName(path, segment);
      parts.add(segment);
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return new UfsPath(Collections.unmodifiableList(parts));
  }

  /** The child {@code name} of this path; {@code name} is one segment, checked like any segment of {@link #parse}. */
  public UfsPath child(String name) throws UfsException {
    if (name != null && name.indexOf('/') >= 0) {
      throw invalid(name, "a name cannot contain '/'");
    }
    checkName(name, name);
    List<String> parts = new ArrayList<>(segments.size() + 1);
    parts.addAll(segments);
    parts.add(name);
    return new UfsPath(Collections.unmodifiableList(parts));
  }

  private static void checkName(String path, String name) throws UfsException {
    if (name == null || name.isEmpty()) {
      throw invalid(path, "empty path segment");
    }
    if (name.equals(".") || name.equals("..")) {
      throw invalid(path, "'" + name + "' segments are not allowed");
    }
    if (name.indexOf('\0') >= 0) {
      throw invalid(path, "NUL character");
    }
    if (name.indexOf('\\') >= 0) {
      throw invalid(path, "backslash");
    }
    if (name.indexOf('%') >= 0) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
        throw invalid(path, "encoded separator or NUL");
      }
      String decodedDots = lower.replace("%2e", ".");
      if (decodedDots.equals(".") || decodedDots.equals("..")) {
        throw invalid(path, "encoded '" + decodedDots + "' segment");
      }
    }
  }

  private static UfsException invalid(String path, String why) {
    return new UfsException(Kind.INVALID_ARGUMENT, path, "invalid UFS path: " + why);
  }

  public boolean isRoot() {
    return segments.isEmpty();
  }

  /** The last segment; empty for the root. */
  public String name() {
    return segments.isEmpty() ? "" : segments.get(segments.size() - 1);
  }

  /** The parent; the root is its own parent. */
  public UfsPath parent() {
    return segments.size() <= 1 ? ROOT : new UfsPath(segments.subList(0, segments.size() - 1));
  }

  /** The names from the root down; empty for the root. */
  public List<String> segments() {
    return segments;
  }

  /** Whether {@code other} lies strictly below this path. */
  public boolean isAncestorOf(UfsPath other) {
    return other.segments.size() > segments.size() && other.segments.subList(0, segments.size()).equals(segments);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UfsPath p && p.segments.equals(segments);
  }

  @Override
  public int hashCode() {
    return segments.hashCode();
  }

  /** The path as parsed: names joined by {@code /}, empty for the root. */
  @Override
  public String toString() {
    return String.join("/", segments);
  }
}
