package io.sluice.ufs.hdfs;

import io.sluice.ufs.AbstractUfsContractTest;
import io.sluice.ufs.UnderFileSystem;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UFS contract through Hadoop's local file system: covers the connector's path for Hadoop file systems other than
 * HDFS (listing by scan instead of the namenode's paged listing, FileContext renames on another store).
 */
class HadoopLocalContractTest extends AbstractUfsContractTest {
  @TempDir static Path root;
  private static UnderFileSystem ufs;

  @BeforeAll
  static void connect() throws Exception {
    ufs = new HdfsUnderFileSystem(root.toUri(), new Configuration());
  }

  @AfterAll
  static void disconnect() throws Exception {
    ufs.close();
  }

  @Override
  protected UnderFileSystem ufs() {
    return ufs;
  }
}
