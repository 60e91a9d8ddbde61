package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {
  @Test
  void unescapesTheKernelsOctalEscapes() {
    assertEquals("/mnt/my dir\tx\\y", MountTable.unescape("/mnt/my\\040dir\\011x\\134y"));
    assertEquals("/plain", MountTable.unescape("/plain"));
    assertEquals("/odd\\9", MountTable.unescape("/odd\\9"));
  }

  @Test
  void knowsTheRootIsMountedAndATempDirIsNot() {
    assertTrue(MountTable.isMounted(Path.of("/")));
    assertFalse(MountTable.isMounted(Path.of(System.getProperty("java.io.tmpdir"), "surely-not-a-mount-point")));
  }
}
