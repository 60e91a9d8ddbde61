package io.sluice.ufs.local;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.UnderFileSystemFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** Mounts {@code file:///absolute/dir}. Takes no options. */
public final class LocalUfsFactory implements UnderFileSystemFactory {
  @Override
  public boolean supports(URI root) {
    return "file".equalsIgnoreCase(root.getScheme());
  }

  @Override
  public UnderFileSystem create(URI root, Map<String, String> options) throws IOException {
    if (root.getAuthority() != null || root.getPath() == null || !root.getPath().startsWith("/")) {
      throw new UfsException(Kind.INVALID_ARGUMENT, root.toString(), "expected file:///absolute/path");
    }
    return new LocalUnderFileSystem(Path.of(root.getPath()));
  }
}
