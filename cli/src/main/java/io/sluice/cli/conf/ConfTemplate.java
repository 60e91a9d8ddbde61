package io.sluice.cli.conf;

import io.sluice.common.conf.ConfigKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders {@code conf/sluice.properties}: a header, then per {@link KnownKeys} section every key commented out with
 * its doc line and its default, so the file documents every setting and sets none. The output depends only on the
 * key definitions; {@code ConfTemplateTest} fails when the file in the repository differs from it.
 */
public final class ConfTemplate {
  /** Lines are wrapped to fit the project's 120 columns. */
  private static final int WIDTH = 118;
  private static final String HEADER = """
      # Sluice configuration. Every key has a built-in default documented where it is defined (the *Keys classes);
      # set here only what differs. Sources, later wins: defaults < this file < SLUICE_* environment < -D / --conf.
      # Sizes accept 64m, 4g; durations 500ms, 10s, 5m.
      #
      # Every key follows, commented out, with its meaning and its default. The list is generated from the key
      # definitions (regenerate: bin/sluice conf template > conf/sluice.properties); in an installation, uncomment
      # and change what differs.
      """;

  private ConfTemplate() {}

  /** The whole template, ending with a newline. */
  public static String render() {
    StringBuilder out = new StringBuilder(HEADER);
    for (KnownKeys.Section s : KnownKeys.SECTIONS) {
      out.append('\n').append("# ==== ").append(s.title()).append(" ====\n");
      for (ConfigKey<?> k : s.keys()) {
        out.append('\n');
        wrap(k.doc() == null ? "" : k.doc()).forEach(l -> out.append("# ").append(l).append('\n'));
        // A credential's line never carries a value, whatever its default, so the file cannot ship one.
        out.append("# ").append(k.name()).append('=').append(k.isSensitive() ? "" : k.defaultText()).append('\n');
      }
    }
    return out.toString();
  }

  /** Splits {@code text} at spaces into lines of at most {@link #WIDTH} - 2 characters (a longer word stays whole). */
  static List<String> wrap(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split("\\s+")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > WIDTH - 2) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
