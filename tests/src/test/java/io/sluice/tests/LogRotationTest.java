package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code conf/logback.xml}, loaded into a context of its own: with {@code sluice.log.file} set it rolls
 * by size keeping {@code sluice.log.max.history} files; without, it logs to stderr and creates no file. Its own
 * status holds no error in either mode (the file silences logback's status output, so this is where errors show).
 */
class LogRotationTest {
  private static final Path CONF = SluiceScript.HOME.resolve("conf/logback.xml");

  @TempDir
  Path dir;

  private static LoggerContext configure(Map<String, String> props) throws Exception {
    LoggerContext ctx = new LoggerContext();
    // What the slf4j binding does for the default context; a context of one's own needs it to log.
    ctx.setMDCAdapter(new LogbackMDCAdapter());
    props.forEach(ctx::putProperty);
    JoranConfigurator jc = new JoranConfigurator();
    jc.setContext(ctx);
    jc.doConfigure(CONF.toFile());
    assertTrue(new StatusUtil(ctx).getHighestLevel(0) < Status.ERROR,
        () -> "logback reported errors: " + ctx.getStatusManager().getCopyOfStatusList());
    return ctx;
  }

  @Test
  void aTinyMaxSizeRollsTheFileAndKeepsTheHistory() throws Exception {
    Path log = dir.resolve("master.log");
    LoggerContext ctx = configure(Map.of("sluice.log.file", log.toString(), "sluice.log.level", "INFO",
        "sluice.log.max.size", "1KB", "sluice.log.max.history", "3", "sluice.log.check.interval", "0"));
    try {
      Logger l = ctx.getLogger("rotation");
      for (int i = 0; i < 200; i++) {
        l.info("line {} {}", i, "x".repeat(80));
      }
    } finally {
      ctx.stop();
    }
    assertTrue(new StatusUtil(ctx).getHighestLevel(0) < Status.ERROR,
        () -> "logback reported errors: " + ctx.getStatusManager().getCopyOfStatusList());
    for (int i = 1; i <= 3; i++) {
      Path rolled = dir.resolve("master.log." + i);
      assertTrue(Files.exists(rolled), rolled + " exists");
      assertTrue(Files.size(rolled) < 1024 + 200, rolled + " was rolled near the limit: " + Files.size(rolled));
    }
    assertFalse(Files.exists(dir.resolve("master.log.4")), "no more than max.history rolled files");
    assertTrue(Files.readString(log).contains("line 199"), "the newest line is in the active file");
  }

  @Test
  void withoutALogFileItLogsToStderrOnly() throws Exception {
    LoggerContext ctx = configure(Map.of());
    try {
      Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
      assertNotNull(root.getAppender("OUT"), "the console appender");
      assertNull(root.getAppender("UNUSED"), "the rolling appender is not attached");
      assertEquals("WARN", root.getLevel().toString());
    } finally {
      ctx.stop();
    }
    try (var files = Files.list(Path.of(System.getProperty("user.dir")))) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("IS_UNDEFINED")),
          "no file was created for the unset sluice.log.file");
    }
  }
}
