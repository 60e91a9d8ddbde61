package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spliced reply names a descriptor that libfuse reads after the callback returned, while other threads may move
 * the handle on: the descriptor closes only when the handle let go of it and every reply holding it was sent.
 */
class LeasedBlockFileTest {
  @TempDir
  Path dir;

  /** Whether {@code fd} is open in this process on {@code file}. */
  private static boolean openOn(int fd, Path file) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).equals(file);
    } catch (IOException e) {
      return false; // no such descriptor
    }
  }

  @Test
  void aDescriptorLastsWhileTheHandleOrAReplyHoldsIt() throws IOException {
    Path a = Files.writeString(dir.resolve("a"), "block a");
    Path b = Files.writeString(dir.resolve("b"), "block b");
    LeasedBlockFile f = new LeasedBlockFile();
    int fa = f.descriptor(a, 1);
    assertTrue(openOn(fa, a));
    assertEquals(fa, f.descriptor(a, 1), "the same lease, the same descriptor");

    Runnable reply = f.hold();
    int fb = f.descriptor(b, 2); // another lease: the handle lets go of a's descriptor
    assertTrue(openOn(fb, b));
    assertTrue(openOn(fa, a), "a reply still names it");
    reply.run();
    assertFalse(openOn(fa, a), "closed with the last hold");

    Runnable r1 = f.hold();
    Runnable r2 = f.hold();
    f.close();
    assertTrue(openOn(fb, b), "the handle let go, two replies hold it");
    r1.run();
    assertTrue(openOn(fb, b));
    r2.run();
    assertFalse(openOn(fb, b));

    int fa2 = f.descriptor(a, 3);
    f.close();
    assertFalse(openOn(fa2, a), "no reply held it: closed at once");
  }

  @Test
  void releasesRunOnceTheRequestIsDone() {
    ReplyHolds holds = new ReplyHolds();
    List<String> ran = new ArrayList<>();
    holds.add(() -> ran.add("descriptor"));
    holds.add(() -> {
      throw new IllegalStateException("a failing release");
    });
    holds.add(() -> ran.add("lease"));
    assertEquals(3, holds.heldHere());
    assertEquals(List.of(), ran, "nothing until the reply is sent");
    holds.requestDone();
    assertEquals(List.of("descriptor", "lease"), ran, "all of them, whatever one of them throws");
    assertEquals(0, holds.heldHere());
    holds.requestDone();
    assertEquals(2, ran.size(), "each once");
  }
}
