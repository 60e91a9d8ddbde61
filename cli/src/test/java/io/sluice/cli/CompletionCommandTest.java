package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.CliCluster.Result;
import org.junit.jupiter.api.Test;

/** {@code sluice completion} and the exit codes {@code sluice --help} documents. */
class CompletionCommandTest {
  @Test
  void printsABashScriptCompletingEveryGroup() {
    Result r = CliCluster.runRaw("completion");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("complete -F _complete_sluice"), r.out());
    for (String word : new String[] {"admin", "report", "workers", "fs", "head", "--output", "conf"}) {
      assertTrue(r.out().contains(word), word);
    }
  }

  @Test
  void helpListsTheExitCodes() {
    Result r = CliCluster.runRaw("--help");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("Exit codes:"), r.out());
    assertTrue(r.out().matches("(?s).*\\n\\s+2\\s+usage error\\n.*"), r.out());
  }
}
