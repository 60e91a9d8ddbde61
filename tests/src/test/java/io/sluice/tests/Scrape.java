package io.sluice.tests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;

/** Reads a server's Prometheus {@code /metrics} page, as an operator's scraper would. */
final class Scrape {
  private Scrape() {}

  /**
   * The value of the first sample named {@code name} (Prometheus form, e.g. {@code sluice_worker_cache_hits_total})
   * on the page at {@code http}, summed over its label sets; 0 when absent.
   */
  static double value(InetSocketAddress http, String name) throws IOException, InterruptedException {
    String page = page(http);
    double sum = 0;
    for (String line : page.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The whole {@code /metrics} page at {@code http}. */
  static String page(InetSocketAddress http) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    return client.send(HttpRequest.newBuilder(URI.create("http://" + http.getHostString() + ":"
        + http.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * The sample names on a page, as a query names them: {@code sluice_rpc_server_latency_seconds_bucket},
   * {@code ..._count}, {@code ..._sum}, {@code jvm_memory_used_bytes}, ...
   */
  static Set<String> sampleNames(String page) {
    Set<String> names = new TreeSet<>();
    for (String line : page.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
          end++;
        }
        names.add(line.substring(0, end));
      }
    }
    return names;
  }
}
