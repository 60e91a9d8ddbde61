package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  @Test
  void parsesEveryUnit() {
    assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), DurationConverter.parse("30s"));
    assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
    assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
    assertEquals(Duration.ofDays(7), DurationConverter.parse("7d"));
    assertEquals(Duration.ofSeconds(30), DurationConverter.parse(" 30S "));
  }

  @Test
  void neverIsTheInfiniteDuration() {
    assertEquals(MountOptions.NEVER, DurationConverter.parse("never"));
    assertEquals(MountOptions.NEVER, DurationConverter.parse("NEVER"));
  }

  @Test
  void rejectsWhatIsNotADuration() {
    for (String bad : new String[] {"", "30", "s", "-5s", "1.5h", "5w", "5 minutes", "99999999999999999999s",
        "999999999999999999d"}) {
      TypeConversionException e = assertThrows(TypeConversionException.class, () -> DurationConverter.parse(bad),
          bad);
      assertTrue(e.getMessage().contains(bad.trim()), e.getMessage());
    }
  }

  @Test
  void formatsInTheLargestExactUnitAndParsesBack() {
    assertEquals("30s", DurationConverter.format(Duration.ofSeconds(30)));
    assertEquals("90s", DurationConverter.format(Duration.ofSeconds(90)));
    assertEquals("5m", DurationConverter.format(Duration.ofMinutes(5)));
    assertEquals("1h", DurationConverter.format(Duration.ofHours(1)));
    assertEquals("7d", DurationConverter.format(Duration.ofDays(7)));
    assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
    assertEquals("0ms", DurationConverter.format(Duration.ZERO));
    assertEquals("never", DurationConverter.format(MountOptions.NEVER));
    for (String s : new String[] {"500ms", "30s", "5m", "1h", "7d", "never"}) {
      assertEquals(s, DurationConverter.format(DurationConverter.parse(s)));
    }
  }
}
