package io.sluice.ufs;

import io.sluice.ufs.UfsException.Kind;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Picks the connector for a mount's URI among the {@link UnderFileSystemFactory}s on the class path. Immutable once
 * loaded; the first factory that {@linkplain UnderFileSystemFactory#supports supports} a URI wins, in
 * ServiceLoader order.
 */
public final class UfsRegistry {
  private final List<UnderFileSystemFactory> factories;

  public UfsRegistry(List<UnderFileSystemFactory> factories) {
    this.factories = List.copyOf(factories);
  }

  /** The factories visible to {@code loader}. */
  public static UfsRegistry load(ClassLoader loader) {
    return new UfsRegistry(ServiceLoader.load(UnderFileSystemFactory.class, loader).stream()
        .map(ServiceLoader.Provider::get).toList());
  }

  /** The factories visible to the class loader that loaded this class. */
  public static UfsRegistry load() {
    return load(UfsRegistry.class.getClassLoader());
  }

  /**
   * Connects to the store at {@code root}.
   *
   * @throws UfsException INVALID_ARGUMENT when the URI has no scheme or no connector supports it; otherwise
   *     whatever the factory throws
   */
  public UnderFileSystem create(URI root, Map<String, String> options) throws IOException {
    if (root.getScheme() == null) {
      throw new UfsException(Kind.INVALID_ARGUMENT, root.toString(), "UFS URI has no scheme");
    }
    for (UnderFileSystemFactory f : factories) {
      if (f.supports(root)) {
        return f.create(root, options);
      }
    }
    throw new UfsException(Kind.INVALID_ARGUMENT, root.toString(),
        "no UFS connector for scheme '" + root.getScheme() + "' on the class path");
  }

  /** The loaded factories, in the order they are tried. */
  public List<UnderFileSystemFactory> factories() {
    return factories;
  }
}
