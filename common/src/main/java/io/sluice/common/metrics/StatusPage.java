package io.sluice.common.metrics;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

/**
 * Renders a server's status message as a small self-contained HTML page: no scripts, no external assets, every
 * value escaped. The page is derived from the message's descriptor, so it shows exactly the fields of
 * {@code /api/status} under the same (JSON) names and never falls behind the schema: singular fields in one table,
 * each repeated field of messages as a table of its own with a column per field.
 */
public final class StatusPage {
  private static final String STYLE = "body{font-family:sans-serif;margin:1.5em}"
      + "table{border-collapse:collapse;margin-bottom:1em}"
      + "th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}"
      + "th{background:#f0f0f0}td.n{text-align:right}";

  private StatusPage() {}

  /**
   * The page for {@code status}.
   *
   * @param title the heading, e.g. "Sluice master"
   */
  public static String render(String title, MessageOrBuilder status) {
    StringBuilder out = new StringBuilder(4096);
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
        .append("</title><style>").append(STYLE).append("</style></head>\n<body>\n<h1>").append(escape(title))
        .append("</h1>\n<p><a href=\"/api/status\">/api/status</a> (JSON) | <a href=\"/metrics\">/metrics</a>"
            + " (Prometheus) | <a href=\"/health\">/health</a></p>\n<table>\n");
    List<FieldDescriptor> fields = status.getDescriptorForType().getFields();
    for (FieldDescriptor f : fields) {
      if (!f.isRepeated()) {
        out.append("<tr><th>").append(escape(f.getJsonName())).append("</th>");
        cell(out, f, status.getField(f));
        out.append("</tr>\n");
      }
    }
    out.append("</table>\n");
    for (FieldDescriptor f : fields) {
      if (f.isRepeated()) {
        section(out, f, (List<?>) status.getField(f));
      }
    }
    return out.append("</body></html>\n").toString();
  }

  /** A repeated field: messages as a table, one column per field of theirs; scalars as one comma-separated line. */
  private static void section(StringBuilder out, FieldDescriptor f, List<?> values) {
    out.append("<h2>").append(escape(f.getJsonName())).append(" (").append(values.size()).append(")</h2>\n");
    if (values.isEmpty()) {
      out.append("<p>none</p>\n");
    } else if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      out.append("<p>").append(escape(text(f, values))).append("</p>\n");
    } else {
      List<FieldDescriptor> columns = f.getMessageType().getFields();
      out.append("<table>\n<tr>");
      for (FieldDescriptor c : columns) {
        out.append("<th>").append(escape(c.getJsonName())).append("</th>");
      }
      out.append("</tr>\n");
      for (Object v : values) {
        MessageOrBuilder row = (MessageOrBuilder) v;
        out.append("<tr>");
        for (FieldDescriptor c : columns) {
          cell(out, c, row.getField(c));
        }
        out.append("</tr>\n");
      }
      out.append("</table>\n");
    }
  }

  private static void cell(StringBuilder out, FieldDescriptor f, Object value) {
    boolean numeric = !f.isRepeated() && switch (f.getJavaType()) {
      case INT, LONG, FLOAT, DOUBLE -> true;
      default -> false;
    };
    out.append(numeric ? "<td class=\"n\">" : "<td>").append(escape(text(f, value))).append("</td>");
  }

  /** A field's value as plain text: a nested message as its fields {@code name=value}, a list comma-separated. */
  private static String text(FieldDescriptor f, Object value) {
    if (f.isRepeated()) {
      StringJoiner all = new StringJoiner(", ");
      for (Object v : (List<?>) value) {
        all.add(single(f, v));
      }
      return all.toString();
    }
    return single(f, value);
  }

  private static String single(FieldDescriptor f, Object value) {
    return switch (f.getJavaType()) {
      case MESSAGE -> {
        MessageOrBuilder m = (MessageOrBuilder) value;
        StringJoiner parts = new StringJoiner(" ");
        for (FieldDescriptor c : m.getDescriptorForType().getFields()) {
          parts.add(c.getJsonName() + "=" + text(c, m.getField(c)));
        }
        yield parts.toString();
      }
      case ENUM -> ((EnumValueDescriptor) value).getName();
      case BYTE_STRING -> Base64.getEncoder().encodeToString(((ByteString) value).toByteArray());
      default -> String.valueOf(value);
    };
  }

  /** Escapes text for HTML content and quoted attribute values. */
  public static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
