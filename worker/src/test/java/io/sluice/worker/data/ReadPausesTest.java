package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** Pauses of a connection shared by several streams, on an {@link EmbeddedChannel}. */
class ReadPausesTest {
  @Test
  void aConnectionIsReadAgainOnlyWhenEveryStreamResumed() {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ReadPauses.pause(ch);
      ReadPauses.pause(ch);
      assertFalse(ch.config().isAutoRead());
      ReadPauses.resume(ch);
      assertFalse(ch.config().isAutoRead(), "one stream's resume undid another's pause");
      ReadPauses.resume(ch);
      assertTrue(ch.config().isAutoRead());
      ReadPauses.resume(ch); // an extra resume does not go negative: the next pause still pauses
      ReadPauses.pause(ch);
      assertFalse(ch.config().isAutoRead());
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
