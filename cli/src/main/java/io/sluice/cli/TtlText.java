package io.sluice.cli;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.TtlAction;
import java.time.Duration;
import java.time.Instant;

/** How the CLI shows a TTL, in {@code sluice ttl} and {@code sluice fs stat}: {@code 7d, free, expires <instant>}. */
public final class TtlText {
  private TtlText() {}

  /** The TTL of {@code f}, or {@code none} when it has none. */
  public static String of(FileInfo f) {
    if (f.getTtlMs() <= 0) {
      return "none";
    }
    long created = f.getCreatedMs();
    long expires = created + f.getTtlMs() < created ? Long.MAX_VALUE : created + f.getTtlMs();
    return DurationConverter.format(Duration.ofMillis(f.getTtlMs())) + ", " + action(f.getTtlAction())
        + ", expires " + Instant.ofEpochMilli(expires);
  }

  /** {@code free} or {@code delete}, as the {@code --action} option spells it. */
  static String action(TtlAction a) {
    return switch (a) {
      case TTL_FREE -> "free";
      case TTL_DELETE -> "delete";
      default -> a.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
