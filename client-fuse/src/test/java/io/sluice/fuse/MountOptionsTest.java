package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.ClientKeys;
import io.sluice.common.conf.SluiceConf;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
  private static List<String> options(SluiceConf conf) {
    String[] args = MountOptions.from(conf).args();
    assertEquals(3, args.length);
    // Single-threaded loop: the multi-threaded one churns attached Java threads (see MountOptions).
    assertEquals("-s", args[0]);
    assertEquals("-o", args[1]);
    return List.of(args[2].split(","));
  }

  @Test
  void defaultsAreBigRequestsAndOneSecondCaching() {
    List<String> o = options(SluiceConf.defaults());
    // The kernel checks permissions: the master sees only the mount's user.
    assertTrue(o.containsAll(List.of("default_permissions", "big_writes", "max_read=131072", "max_write=131072", "attr_timeout=1.000",
        "entry_timeout=1.000", "negative_timeout=0.000", "fsname=sluice", "subtype=sluice")), o.toString());
    assertFalse(o.contains("allow_other"));
    assertFalse(MountOptions.from(SluiceConf.defaults()).debug());
  }

  @Test
  void timeoutsAndExtrasComeFromTheConfiguration() {
    SluiceConf conf = SluiceConf.defaults().with(FuseKeys.ATTR_TIMEOUT, "2500ms")
        .with(FuseKeys.ENTRY_TIMEOUT, "10s").with(FuseKeys.ALLOW_OTHER, "true")
        .with(FuseKeys.EXTRA_OPTIONS, "kernel_cache");
    List<String> o = options(conf);
    assertTrue(o.contains("attr_timeout=2.500"), o.toString());
    assertTrue(o.contains("entry_timeout=10.000"), o.toString());
    assertTrue(o.contains("allow_other"), o.toString());
    assertEquals("kernel_cache", o.get(o.size() - 1));
  }

  @Test
  void readThreadsFollowTheCoresUnlessSet() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(Math.max(0, Math.min(4, cores - 2)), MountOptions.from(SluiceConf.defaults()).readThreads());
    assertEquals(3, MountOptions.from(SluiceConf.defaults().with(FuseKeys.READ_THREADS, "3")).readThreads());
    assertEquals(0, MountOptions.from(SluiceConf.defaults().with(FuseKeys.READ_THREADS, "0")).readThreads());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MountOptions.from(SluiceConf.defaults().with(FuseKeys.READ_THREADS, "-2")));
    assertTrue(e.getMessage().contains("sluice.fuse.read.threads"), e.getMessage());
  }

  @Test
  void readsAreSplicedOnlyWhenUncheckedAndNotTurnedOff() {
    SluiceConf checked = SluiceConf.defaults().with(FuseKeys.READ_THREADS, "0");
    assertFalse(MountOptions.from(checked).splice(), "checked bytes must pass through the process");
    assertFalse(options(checked).contains("splice_write"), options(checked).toString());
    SluiceConf ordered = checked.with(ClientKeys.SHORT_CIRCUIT_SKIP_CHECKSUM, "true");
    assertTrue(MountOptions.from(ordered).splice());
    assertTrue(options(ordered).contains("splice_write"), options(ordered).toString());
    assertFalse(MountOptions.from(ordered.with(FuseKeys.SPLICE, "false")).splice());
    assertFalse(options(ordered.with(FuseKeys.SPLICE, "false")).contains("splice_write"));
    // With read threads too: a reply's block file and lease are held until it is sent (ReplyHolds).
    SluiceConf threads = ordered.with(FuseKeys.READ_THREADS, "2");
    assertTrue(MountOptions.from(threads).splice(), "read threads");
    assertTrue(options(threads).contains("splice_write"));
    // Options a user adds stay last, where they override Sluice's own.
    assertEquals("kernel_cache", options(ordered.with(FuseKeys.EXTRA_OPTIONS, "kernel_cache")).get(
        options(ordered).size()));
  }

  @Test
  void rejectsABadTimeout() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MountOptions.from(SluiceConf.defaults().with(FuseKeys.ATTR_TIMEOUT, "soon")));
    assertTrue(e.getMessage().contains("sluice.fuse.attr.timeout"), e.getMessage());
  }
}
