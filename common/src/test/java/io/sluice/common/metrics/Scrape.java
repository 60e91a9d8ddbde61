package io.sluice.common.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One Prometheus text scrape fetched over real HTTP, parsed enough for tests to read a sample by name and labels.
 * Shared with the master and worker tests through the test-jar.
 */
public final class Scrape {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private Scrape(List<Sample> samples) {
    this.samples = samples;
  }

  /** GETs {@code path} from the server at {@code address}. */
  public static HttpResponse<String> get(InetSocketAddress address, String path)
      throws IOException, InterruptedException {
    URI uri = URI.create("http://" + address.getHostString() + ":" + address.getPort() + path);
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Fetches and parses {@code /metrics}, failing on any status but 200. */
  public static Scrape of(InetSocketAddress address) throws IOException, InterruptedException {
    HttpResponse<String> r = get(address, "/metrics");
    if (r.statusCode() != 200) {
      throw new AssertionError("GET /metrics answered " + r.statusCode() + ": " + r.body());
    }
    return parse(r.body());
  }

  /** Parses text exposition format: comment lines are skipped, label values hold no escaped quotes here. */
  public static Scrape parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      Map<String, String> labels = new LinkedHashMap<>();
      String name;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        String body = line.substring(brace + 1, line.lastIndexOf('}'));
        for (String pair : body.split(",")) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
        }
      } else {
        name = line.substring(0, space);
      }
      out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
    return new Scrape(out);
  }

  /**
   * The value of the sample called {@code name} whose labels include {@code labels} (name, value, name, value...),
   * or empty when there is none; more than one match fails.
   */
  public OptionalDouble value(String name, String... labels) {
    Sample found = null;
    for (Sample s : samples) {
      if (s.name().equals(name) && matches(s.labels(), labels)) {
        if (found != null) {
          throw new AssertionError("more than one sample matches " + name + " " + List.of(labels));
        }
        found = s;
      }
    }
    return found == null ? OptionalDouble.empty() : OptionalDouble.of(found.value());
  }

  /** Like {@link #value} but fails when there is no such sample. */
  public double require(String name, String... labels) {
    return value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + " " + List.of(labels)
        + " in the scrape"));
  }

  private static boolean matches(Map<String, String> have, String[] want) {
    for (int i = 0; i + 1 < want.length; i += 2) {
      if (!want[i + 1].equals(have.get(want[i]))) {
        return false;
      }
    }
    return true;
  }

  public List<Sample> samples() {
    return samples;
  }
}
