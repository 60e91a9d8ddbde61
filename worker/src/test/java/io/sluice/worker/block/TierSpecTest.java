package io.sluice.worker.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.worker.block.TierSpec.DirSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TierSpecTest {
  @Test
  void aSingleTierKeepsItsOldSyntax() {
    List<TierSpec> tiers = TierSpec.parse("HDD:/var/lib/x:10g");
    assertEquals(List.of(new TierSpec(TierAlias.HDD, List.of(new DirSpec(Path.of("/var/lib/x"), 10L << 30)))),
        tiers);
  }

  @Test
  void tiersAreSortedFastestFirstAndDirsCarryTheirOwnCapacity() {
    List<TierSpec> tiers = TierSpec.parse("HDD:/a:1t;/b:2t, MEM:/dev/shm/s:4g,SSD:/ssd:100g");
    assertEquals(List.of(TierAlias.MEM, TierAlias.SSD, TierAlias.HDD), tiers.stream().map(TierSpec::alias).toList());
    TierSpec hdd = tiers.get(2);
    assertEquals(List.of(new DirSpec(Path.of("/a"), 1L << 40), new DirSpec(Path.of("/b"), 2L << 40)), hdd.dirs());
    assertEquals(3L << 40, hdd.capacity());
  }

  @Test
  void badValuesAreRefusedWithTheReason() {
    assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("TAPE:/a:1g"));
    assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("/a:1g"));
    assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("HDD:/a"));
    assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("HDD:/a:0"));
    assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("HDD:/a:1g;/b"));
    String twice = assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("HDD:/a:1g,HDD:/b:1g"))
        .getMessage();
    assertEquals("sluice.worker.tiers: tier HDD is given twice in 'HDD:/a:1g,HDD:/b:1g'", twice);
    assertThrows(IllegalArgumentException.class, () -> TierSpec.parse("SSD:/a:1g,HDD:/a/:1g"));
  }

  @Test
  void watermarksAndPolicyNamesAreValidated() {
    assertEquals(new Watermarks(0.9, 0.5), Watermarks.parse("0.9", " 0.5"));
    assertThrows(IllegalArgumentException.class, () -> Watermarks.parse("0.5", "0.9"));
    assertThrows(IllegalArgumentException.class, () -> Watermarks.parse("1.5", "0.9"));
    assertThrows(IllegalArgumentException.class, () -> Watermarks.parse("high", "0.9"));
    assertEquals(LfuPolicy.class, EvictionPolicy.named("lfu", new FakeClock()).getClass());
    assertThrows(IllegalArgumentException.class, () -> EvictionPolicy.named("FIFO", new FakeClock()));
  }
}
