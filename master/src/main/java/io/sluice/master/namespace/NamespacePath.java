package io.sluice.master.namespace;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An absolute, normalized namespace path split into its names. The only accepted form is {@code /} or
 * {@code /a/b/c}: no empty names (so no {@code //} and no trailing {@code /}), no {@code .} or {@code ..}, no NUL,
 * names of at most {@value #MAX_NAME_BYTES} UTF-8 bytes. Clients normalize; the master refuses anything else with
 * INVALID_ARGUMENT rather than guess what was meant.
 */
public final class NamespacePath {
  static final int MAX_NAME_BYTES = 255;
  static final int MAX_PATH_CHARS = 4096;

  private final String path;
  private final List<String> names;

  private NamespacePath(String path, List<String> names) {
    this.path = path;
    this.names = names;
  }

  /** Parses {@code path}; a malformed one fails with INVALID_ARGUMENT naming it. */
  public static NamespacePath parse(String path) throws RpcException {
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw invalid(path, "not absolute");
    }
    if (path.length() > MAX_PATH_CHARS) {
      throw invalid(path.substring(0, 64) + "...", "longer than " + MAX_PATH_CHARS + " characters");
    }
    if (path.equals("/")) {
      return new NamespacePath(path, List.of());
    }
    if (path.indexOf('\0') >= 0) {
      throw invalid(path, "contains NUL");
    }
    List<String> names = new ArrayList<>();
    int start = 1;
    while (true) {
      int slash = path.indexOf('/', start);
      String name = slash < 0 ? path.substring(start) : path.substring(start, slash);
      checkName(path, name);
      names.add(name);
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return new NamespacePath(path, List.copyOf(names));
  }

  private static void checkName(String path, String name) throws RpcException {
    if (name.isEmpty()) {
      throw invalid(path, "empty name");
    }
    if (name.equals(".") || name.equals("..")) {
      throw invalid(path, "'" + name + "' is not allowed");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw invalid(path, "a name is longer than " + MAX_NAME_BYTES + " bytes");
    }
  }

  private static RpcException invalid(String path, String why) {
    return new RpcException(Status.INVALID_ARGUMENT, "invalid path '" + path + "': " + why);
  }

  public boolean isRoot() {
    return names.isEmpty();
  }

  /** The names from the root down; empty for the root. */
  public List<String> names() {
    return names;
  }

  public int depth() {
    return names.size();
  }

  /** The last name; empty for the root. */
  public String name() {
    return names.isEmpty() ? "" : names.get(names.size() - 1);
  }

  /** The directory holding this path; the root for the root. */
  public NamespacePath parent() {
    return names.isEmpty() ? this : new NamespacePath(prefix(names.size() - 1), names.subList(0, names.size() - 1));
  }

  /**
   * This path with {@code name} appended; INVALID_ARGUMENT for a name the namespace cannot hold (empty, {@code .},
   * {@code ..}, with a slash or NUL, too long), e.g. a UFS key that is not a valid file name.
   */
  public NamespacePath child(String name) throws RpcException {
    if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      throw invalid(path + "/" + name, "a name with '/' or NUL");
    }
    checkName(path, name);
    List<String> longer = new ArrayList<>(names);
    longer.add(name);
    return new NamespacePath(isRoot() ? "/" + name : path + "/" + name, List.copyOf(longer));
  }

  /** The path of the first {@code n} names, as text ({@code /} for 0). */
  public String prefix(int n) {
    return n == 0 ? "/" : "/" + String.join("/", names.subList(0, n));
  }

  /** Whether {@code other} is this path or below it. */
  public boolean contains(NamespacePath other) {
    return other.names.size() >= names.size() && other.names.subList(0, names.size()).equals(names);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamespacePath p && p.path.equals(path);
  }

  @Override
  public int hashCode() {
    return path.hashCode();
  }

  @Override
  public String toString() {
    return path;
  }
}
