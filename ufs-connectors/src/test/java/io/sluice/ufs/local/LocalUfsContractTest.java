package io.sluice.ufs.local;

import io.sluice.ufs.AbstractUfsContractTest;
import io.sluice.ufs.UnderFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class LocalUfsContractTest extends AbstractUfsContractTest {
  @TempDir static Path root;
  private static UnderFileSystem ufs;

  @BeforeAll
  static void connect() throws IOException {
    ufs = new LocalUnderFileSystem(root);
  }

  @AfterAll
  static void disconnect() throws IOException {
    ufs.close();
  }

  @Override
  protected UnderFileSystem ufs() {
    return ufs;
  }
}
