package io.sluice.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.MountSummary;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerSummary;
import org.junit.jupiter.api.Test;

/** The HTML rendering of a status message. */
class StatusPageTest {
  private static final MasterStatus STATUS = MasterStatus.newBuilder().setRole("LEADER").setAddress("m1:7000")
      .setLeader("m1:7000").setInodeCount(42)
      .addMounts(MountSummary.newBuilder().setPath("/a<b>&\"c'").setUfsUri("s3://bucket/<x>"))
      .addWorkers(WorkerSummary.newBuilder().setWorkerId(7).setLive(true).setCapacityBytes(1 << 30)
          .setAddress(WorkerAddress.newBuilder().setHost("w1").setDataPort(7080)))
      .build();

  @Test
  void escapesEveryValue() {
    String html = StatusPage.render("Sluice <master>", STATUS);
    assertTrue(html.contains("/a&lt;b&gt;&amp;&quot;c&#39;"), html);
    assertTrue(html.contains("s3://bucket/&lt;x&gt;"), html);
    assertTrue(html.contains("<title>Sluice &lt;master&gt;</title>"), html);
    assertFalse(html.contains("<b>") || html.contains("<x>") || html.contains("<master>"), html);
  }

  @Test
  void showsScalarsAndOneTablePerRepeatedField() {
    String html = StatusPage.render("Sluice master", STATUS);
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<tr><th>role</th><td>LEADER</td></tr>"), html);
    assertTrue(html.contains("<tr><th>inodeCount</th><td class=\"n\">42</td></tr>"), html);
    assertTrue(html.contains("<h2>workers (1)</h2>"), html);
    assertTrue(html.contains("<th>capacityBytes</th>"), html);
    assertTrue(html.contains("<td class=\"n\">1073741824</td>"), html);
    assertTrue(html.contains("host=w1 dataPort=7080 httpPort=0"), "a nested message inline: " + html);
    assertTrue(html.contains("<h2>jobs (0)</h2>\n<p>none</p>"), html);
    assertTrue(html.contains("<a href=\"/metrics\">") && html.contains("<a href=\"/api/status\">"), html);
    assertFalse(html.contains("<script"), html);
  }

  @Test
  void escapeLeavesPlainTextAlone() {
    assertEquals("plain text 1:2/3", StatusPage.escape("plain text 1:2/3"));
    assertEquals("&lt;&gt;&amp;&quot;&#39;", StatusPage.escape("<>&\"'"));
  }
}
