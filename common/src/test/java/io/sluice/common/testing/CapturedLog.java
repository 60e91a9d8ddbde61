package io.sluice.common.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Log events captured for a test's assertions. Logback's {@code ListAppender} keeps a plain {@code ArrayList} that
 * server threads append to while the test thread streams over it, which fails now and then with a
 * {@code ConcurrentModificationException}; this list may be read while it grows.
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> {
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    events.add(event);
  }

  /** What was logged so far, a snapshot that later events do not change. */
  public List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  public void clear() {
    events.clear();
  }
}
