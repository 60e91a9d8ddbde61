package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.client.ClientKeys;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** How the Hadoop configuration and the URI authority become the client's {@link SluiceConf}. */
class HadoopSluiceConfTest {
  private static Configuration hadoop() {
    Configuration c = new Configuration(false);
    c.set("sluice.master.addresses", "m1:7070,m2:7070,m3:7070");
    c.set("sluice.user.block.size", "8m");
    c.set("fs.sluice.other", "ignored");
    return c;
  }

  @Test
  void everySluiceKeyIsCopiedWithItsName() {
    SluiceConf conf = HadoopSluiceConf.from(URI.create("sluice:///"), hadoop(), "bob");
    assertEquals("m1:7070,m2:7070,m3:7070", conf.get(CommonKeys.MASTER_ADDRESSES));
    assertEquals(8L << 20, conf.get(ClientKeys.BLOCK_SIZE));
    assertEquals("bob", conf.get(CommonKeys.USER_NAME), "the Hadoop user when sluice.user.name is unset");
  }

  @Test
  void aConfiguredUserWins() {
    Configuration c = hadoop();
    c.set("sluice.user.name", "carol");
    assertEquals("carol", HadoopSluiceConf.from(URI.create("sluice:///"), c, "bob").get(CommonKeys.USER_NAME));
  }

  @Test
  void theAuthorityNamesTheMaster() {
    assertEquals("other:7171",
        HadoopSluiceConf.from(URI.create("sluice://other:7171/x"), hadoop(), "u").get(CommonKeys.MASTER_ADDRESSES));
    assertEquals("other:7070",
        HadoopSluiceConf.from(URI.create("sluice://other/x"), hadoop(), "u").get(CommonKeys.MASTER_ADDRESSES));
  }

  @Test
  void aConfiguredMasterKeepsTheWholeListForFailover() {
    assertEquals("m1:7070,m2:7070,m3:7070",
        HadoopSluiceConf.from(URI.create("sluice://m2:7070/"), hadoop(), "u").get(CommonKeys.MASTER_ADDRESSES));
  }

  @Test
  void theLogicalClusterNameMeansTheConfiguredMasters() {
    Configuration c = hadoop();
    c.set("sluice.hadoop.cluster.name", "lake");
    assertEquals("m1:7070,m2:7070,m3:7070",
        HadoopSluiceConf.from(URI.create("sluice://lake/data"), c, "u").get(CommonKeys.MASTER_ADDRESSES));
    assertEquals("m1:7070,m2:7070,m3:7070",
        HadoopSluiceConf.from(URI.create("sluice://LAKE/data"), c, "u").get(CommonKeys.MASTER_ADDRESSES));
    assertEquals("lake:7171", HadoopSluiceConf.from(URI.create("sluice://lake:7171/data"), c, "u")
        .get(CommonKeys.MASTER_ADDRESSES), "with a port it is a host");
    assertEquals("lake:7070", HadoopSluiceConf.from(URI.create("sluice://lake/data"), hadoop(), "u")
        .get(CommonKeys.MASTER_ADDRESSES), "without the key it is a host");
  }

  @Test
  void anAuthorityThatIsNotHostAndPortIsRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> HadoopSluiceConf.from(URI.create("sluice://a_b:x/"), hadoop(), "u"));
  }
}
