package io.sluice.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice completion}: a bash (and zsh, via bashcompinit) completion script for every command and option. */
@Command(name = "completion", description = {"Print a bash completion script for sluice.",
    "Use: source <(sluice completion), or save it under /etc/bash_completion.d/."})
public final class CompletionCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    var out = Stdout.writer();
    out.print(AutoComplete.bash("sluice", spec.root().commandLine()));
    out.flush();
    return 0;
  }
}
