package io.sluice.ufs.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.AbstractUfsContractTest;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UFS contract on a real HDFS (MiniDFSCluster: a namenode and one datanode in this JVM, on ephemeral loopback
 * ports), mounted at a subdirectory through the registry; then what is particular to HDFS.
 */
class HdfsUfsContractTest extends AbstractUfsContractTest {
  /** Below the contract's page size, so one page takes several namenode calls. */
  private static final int NAMENODE_LIST_LIMIT = 4;
  @TempDir static Path baseDir;
  private static MiniDFSCluster cluster;
  private static UnderFileSystem ufs;
  private static URI rootUri;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.setInt("dfs.ls.limit", NAMENODE_LIST_LIMIT);
    cluster = new MiniDFSCluster.Builder(conf, baseDir.toFile()).numDataNodes(1).build();
    cluster.waitActive();
    URI nn = cluster.getFileSystem().getUri();
    try (FileSystem fs = FileSystem.newInstance(nn, conf)) {
      fs.mkdirs(new org.apache.hadoop.fs.Path("/mount/root"));
    }
    rootUri = URI.create(nn + "/mount/root");
    ufs = UfsRegistry.load().create(rootUri, Map.of());
  }

  @AfterAll
  static void stopHdfs() throws Exception {
    if (ufs != null) {
      ufs.close();
    }
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  @Override
  protected UnderFileSystem ufs() {
    return ufs;
  }

  @Test
  void registryPicksTheHdfsConnector() throws Exception {
    assertInstanceOf(HdfsUnderFileSystem.class, ufs);
    URI missing = URI.create(cluster.getFileSystem().getUri() + "/no/such/root");
    assertEquals(Kind.NOT_FOUND, assertThrows(UfsException.class,
        () -> UfsRegistry.load().create(missing, Map.of())).kind());
  }

  @Test
  void namesHdfsRefusesAreInvalid() throws Exception {
    // ':' is a legal UfsPath name but not a legal HDFS one.
    UfsException e = assertThrows(UfsException.class, () -> {
      try (UfsOutputStream out = ufs.create(UfsPath.parse(base + "/a:b"), false)) {
        out.write(1);
      }
    });
    assertEquals(Kind.INVALID_ARGUMENT, e.kind(), e::toString);
    assertEquals(Set.of(), children(base, 10).keySet(), "nothing left behind");
  }

  @Test
  void stagingFilesNeverFillAPage() throws Exception {
    // Eight writers in flight in one directory: their staging files sort among the names and would fill whole
    // namenode pages of 4; the listing still returns every real child.
    UfsOutputStream[] open = new UfsOutputStream[8];
    for (int i = 0; i < open.length; i++) {
      open[i] = ufs.create(UfsPath.parse(base + "/pending-" + i), false);
      open[i].write(i);
    }
    try {
      for (String n : new String[] {"a", "b", "z"}) {
        write(UfsPath.parse(base + "/" + n), new byte[] {1});
      }
      assertEquals(Set.of("a", "b", "z"), children(base, 2).keySet());
    } finally {
      for (UfsOutputStream o : open) {
        o.abort();
      }
    }
    assertTrue(children(base, 100).keySet().stream().noneMatch(n -> n.startsWith(".")));
  }
}
