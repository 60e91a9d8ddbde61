package io.sluice.worker.data;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Stops reading a connection while any of its streams asks to (Netty's autoRead off), and reads again once none
 * does. Streams of different calls share a connection (a client multiplexes its writes to one worker), so the asks
 * are counted per connection: one stream's resume must not undo another's pause. Only on the connection's event
 * loop.
 */
final class ReadPauses {
  private static final AttributeKey<int[]> PAUSES = AttributeKey.valueOf("sluice.readPauses");

  private ReadPauses() {}

  /** Adds one ask to stop reading {@code ch}; the first stops it. */
  static void pause(Channel ch) {
    int[] n = ch.attr(PAUSES).setIfAbsent(new int[1]);
    n = n == null ? ch.attr(PAUSES).get() : n;
    if (n[0]++ == 0) {
      ch.config().setAutoRead(false);
    }
  }

  /** Withdraws one ask made by {@link #pause}; the last resumes reading. */
  static void resume(Channel ch) {
    int[] n = ch.attr(PAUSES).get();
    if (n != null && n[0] > 0 && --n[0] == 0) {
      ch.config().setAutoRead(true);
    }
  }
}
