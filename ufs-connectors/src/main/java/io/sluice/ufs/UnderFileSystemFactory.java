package io.sluice.ufs;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Makes connectors for the URIs it supports. Implementations are found with {@link java.util.ServiceLoader}: each
 * connector jar lists its factory in {@code META-INF/services/io.sluice.ufs.UnderFileSystemFactory}, so putting
 * the jar on the class path is all it takes to mount its scheme. A factory has a public no-argument constructor.
 */
public interface UnderFileSystemFactory {
  /** Whether this factory handles {@code root}, usually decided by its scheme alone. */
  boolean supports(URI root);

  /**
   * Connects to the store at {@code root}.
   *
   * @param options the mount's options (keys are documented by each connector); unknown keys are ignored so
   *     a mount can carry options for several layers
   * @throws UfsException INVALID_ARGUMENT for a malformed root or option, NOT_FOUND when the root does not exist
   */
  UnderFileSystem create(URI root, Map<String, String> options) throws IOException;
}
