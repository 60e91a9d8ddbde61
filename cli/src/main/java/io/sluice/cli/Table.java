package io.sluice.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A text table with a header and columns aligned by padding, as {@code sluice admin} and {@code df} print. */
public final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] rightAligned;

  /** @param header the column titles; a title starting with {@code >} is a right-aligned (numeric) column */
  public Table(String... header) {
    rightAligned = new boolean[header.length];
    String[] titles = new String[header.length];
    for (int i = 0; i < header.length; i++) {
      rightAligned[i] = header[i].startsWith(">");
      titles[i] = rightAligned[i] ? header[i].substring(1) : header[i];
    }
    rows.add(titles);
  }

  /** Adds a row; missing trailing cells are empty. */
  public Table row(Object... cells) {
    String[] r = new String[rightAligned.length];
    Arrays.fill(r, "");
    for (int i = 0; i < cells.length && i < r.length; i++) {
      r[i] = String.valueOf(cells[i]);
    }
    rows.add(r);
    return this;
  }

  /** Prints the header and the rows, two spaces between columns, no trailing blanks. */
  public void print(PrintWriter out) {
    int[] widths = new int[rightAligned.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String pad = " ".repeat(widths[i] - r[i].length());
        line.append(rightAligned[i] ? pad + r[i] : r[i] + pad).append(i < r.length - 1 ? "  " : "");
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
