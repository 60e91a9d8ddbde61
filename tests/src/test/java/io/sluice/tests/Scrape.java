package io.sluice.tests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads one sample from a server's Prometheus {@code /metrics} page, as an operator's scraper would. */
final class Scrape {
  private Scrape() {}

  /**
   * The value of the first sample named {@code name} (Prometheus form, e.g. {@code sluice_worker_cache_hits_total})
   * on the page at {@code http}, summed over its label sets; 0 when absent.
   */
  static double value(InetSocketAddress http, String name) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    String page = client.send(HttpRequest.newBuilder(URI.create("http://" + http.getHostString() + ":"
        + http.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : page.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
