package io.sluice.hadoop.contract;

import io.sluice.hadoop.MiniSluiceCluster;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/**
 * Binds Hadoop's FileSystem contract suites to {@code sluice://} on the shared test cluster, with the options of
 * {@code contract/sluice.xml}.
 */
public class SluiceContract extends AbstractFSContract {
  public static final String CONTRACT_XML = "contract/sluice.xml";

  public SluiceContract(Configuration conf) {
    super(conf);
    addConfResource(CONTRACT_XML);
    // The masters, as core-site.xml would name them.
    MiniSluiceCluster cluster = MiniSluiceCluster.get();
    cluster.hadoopConf().getPropsWithPrefix("sluice.").forEach((k, v) -> getConf().set("sluice." + k, v));
  }

  @Override
  public FileSystem getTestFileSystem() throws IOException {
    return FileSystem.get(MiniSluiceCluster.get().uri(), getConf());
  }

  @Override
  public String getScheme() {
    return "sluice";
  }

  @Override
  public Path getTestPath() {
    return new Path("/contract-test");
  }
}
