package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The copy progress of put/get/cp: what it prints on a terminal and elsewhere, driven by a fake clock. */
class TransferProgressTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final StringWriter err = new StringWriter();

  private TransferProgress progress(long total, boolean terminal) {
    return new TransferProgress(new PrintWriter(err, true), total, terminal, now::get);
  }

  private void advanceMs(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void aTerminalGetsABarRedrawnInPlaceThenANewline() throws Exception {
    TransferProgress p = progress(4096, true);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStream out = p.track(sink);
    advanceMs(1000);
    out.write(new byte[1024]);  // 1 KiB in 1 s: 3 KiB left at 1 KiB/s
    advanceMs(1000);
    out.write(new byte[3072]);
    p.finish();
    assertEquals(4096, sink.size());
    String[] draws = err.toString().split("\r", -1);
    assertEquals("", draws[0]);
    assertEquals("[########                      ]  25% 1.0KiB/4.0KiB 1.0KiB/s ETA 3s", draws[1]);
    assertEquals("[##############################] 100% 4.0KiB/4.0KiB 2.0KiB/s ETA --", draws[2]);
    assertEquals("[##############################] 100% 4.0KiB/4.0KiB 2.0KiB/s ETA --\n", draws[3]);
  }

  @Test
  void elsewhereAShortCopyPrintsNothingAndALongOnePlainLines() throws Exception {
    TransferProgress quick = progress(100, false);
    quick.track(new ByteArrayOutputStream()).write(new byte[100]);
    quick.finish();
    assertEquals("", err.toString(), "a copy shorter than the interval");

    TransferProgress slow = progress(10 * 1024, false);
    InputStream in = slow.track(new ByteArrayInputStream(new byte[10 * 1024]));
    byte[] got = new byte[10 * 1024];
    advanceMs(6000);
    assertEquals(2048, in.read(got, 0, 2048));
    advanceMs(1000);
    assertEquals(1024, in.read(got, 2048, 1024));  // within the interval: no line
    advanceMs(5000);
    assertEquals(7168, in.readNBytes(got, 3072, 7168));
    slow.finish();
    assertArrayEquals(new byte[10 * 1024], got);
    String[] lines = err.toString().split("\n");
    assertEquals(2, lines.length, err.toString());
    assertTrue(lines[0].startsWith("2.0KiB/10.0KiB "), lines[0]);
    assertTrue(lines[1].startsWith("10.0KiB/10.0KiB ") && lines[1].endsWith("ETA --"), lines[1]);
    assertTrue(!err.toString().contains("\r") && !err.toString().contains("#"), err.toString());
  }

  @Test
  void etaReadsAsPeopleSayIt() {
    assertEquals("42s", TransferProgress.eta(41.2));
    assertEquals("3m05s", TransferProgress.eta(185));
    assertEquals("2h10m", TransferProgress.eta(7800));
  }
}
