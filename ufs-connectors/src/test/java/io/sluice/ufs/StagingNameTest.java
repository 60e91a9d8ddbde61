package io.sluice.ufs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StagingNameTest {
  @Test
  void stagingNamesAreRecognisedAndUnique() throws UfsException {
    String a = StagingName.forName("data.csv");
    assertTrue(StagingName.isStaging(a));
    assertNotEquals(a, StagingName.forName("data.csv"));
    // Every staging name is a valid path segment, so it can sit beside the file it becomes.
    UfsPath.parse(a);
  }

  @Test
  void ordinaryNamesAreNotStaging() {
    assertFalse(StagingName.isStaging("data.csv"));
    assertFalse(StagingName.isStaging(".sluice-staging-"));
    assertFalse(StagingName.isStaging(".x.sluice-staging-notahexuuid"));
  }
}
