package io.sluice.cli.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.WorkerStatus;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.worker.WorkerKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads each worker's own {@code /api/status} ({@link WorkerStatus} in the proto3 JSON mapping) for what only the
 * worker knows: its tiers. All workers at once, each within a short timeout, so a dead worker costs seconds, not
 * minutes.
 *
 * <p>The port is the one the worker advertises to the master ({@code http_port}); a worker that advertises none is
 * assumed on the configured {@code sluice.worker.http.port}, the same on every host by DESIGN §9.
 */
final class WorkerStatusFetch {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private WorkerStatusFetch() {}

  static List<WorkerView> fetch(List<WorkerSummary> workers, SluiceConf conf) {
    int defaultPort = conf.get(WorkerKeys.HTTP_PORT);
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    List<CompletableFuture<WorkerView>> views = workers.stream().map(w -> {
      int port = w.getAddress().getHttpPort() > 0 ? w.getAddress().getHttpPort() : defaultPort;
      URI uri = URI.create("http://" + w.getAddress().getHost() + ":" + port + "/api/status");
      HttpRequest req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
      return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> view(w, uri, r))
          .exceptionally(e -> new WorkerView(w, null, uri + ": " + describe(e)));
    }).toList();
    return views.stream().map(CompletableFuture::join).toList();
  }

  private static WorkerView view(WorkerSummary w, URI uri, HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      return new WorkerView(w, null, uri + ": HTTP " + r.statusCode());
    }
    WorkerStatus.Builder s = WorkerStatus.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(r.body(), s);
    } catch (InvalidProtocolBufferException e) {
      return new WorkerView(w, null, uri + ": not a worker status (" + e.getMessage() + ")");
    }
    // Another process on that port (e.g. a worker that restarted and registered anew) is not this worker.
    if (s.getWorkerId() != w.getWorkerId()) {
      return new WorkerView(w, null, uri + ": answered as worker " + s.getWorkerId());
    }
    return new WorkerView(w, s.build(), null);
  }

  private static String describe(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    // java.net.http reports a refused connection as a ConnectException without a message.
    return t.getMessage() == null || t.getMessage().isEmpty() ? t.getClass().getSimpleName() : t.getMessage();
  }
}
