package io.sluice.cli;

import picocli.CommandLine.Option;

/**
 * {@code --output text|json}, shared by every command that reads and prints cluster state. Text is for people
 * (aligned tables, human sizes); JSON is for scripts: one line, printed by {@link JsonOutput}.
 */
public final class OutputOptions {
  /** The formats a read command can print; lower case, as they are typed and listed in the help. */
  public enum Format { text, json }

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format = Format.text;

  /** Whether JSON was asked for. */
  public boolean json() {
    return format == Format.json;
  }
}
