package io.sluice.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.util.List;

/**
 * How every command prints {@code --output json}: protobuf messages in the proto3 JSON mapping (field names in
 * lowerCamelCase, 64-bit integers as strings, every field printed, defaults included, as {@code /api/status} does),
 * on one line. Where the CLI combines several answers and no message holds them, {@link Obj} assembles an object
 * with the same conventions around the messages.
 */
public final class JsonOutput {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();

  private JsonOutput() {}

  /** {@code m} as JSON. */
  public static String of(MessageOrBuilder m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      // Only an Any with an unknown type fails to print; no message of ours holds one.
      throw new IllegalStateException("cannot print " + m.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** A JSON array of already printed JSON values. */
  public static String array(List<String> values) {
    return "[" + String.join(",", values) + "]";
  }

  /** {@code s} as a JSON string literal. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** Starts a JSON object. */
  public static Obj object() {
    return new Obj();
  }

  /** A JSON object built field by field; 64-bit counts are strings, as the proto3 mapping prints int64. */
  public static final class Obj {
    private final StringBuilder b = new StringBuilder("{");

    private Obj() {}

    private Obj raw(String name, String json) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(quote(name)).append(':').append(json);
      return this;
    }

    /** A string field; null prints as JSON null. */
    public Obj put(String name, String value) {
      return raw(name, value == null ? "null" : quote(value));
    }

    /** A 64-bit count, as a string like the proto3 mapping of int64. */
    public Obj put(String name, long value) {
      return raw(name, quote(Long.toString(value)));
    }

    /** A true/false field. */
    public Obj put(String name, boolean value) {
      return raw(name, Boolean.toString(value));
    }

    /** A message field; null prints as JSON null. */
    public Obj put(String name, MessageOrBuilder value) {
      return raw(name, value == null ? "null" : of(value));
    }

    /** A field whose value is already JSON (an array, a nested object). */
    public Obj putJson(String name, String json) {
      return raw(name, json);
    }

    @Override
    public String toString() {
      return b + "}";
    }
  }
}
